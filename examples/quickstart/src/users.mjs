// What the demo's users do: each call is one SDK request, streamed or not. The requests are the same whether the
// real provider or the local replay server answers them.
const ask = (text) => [{ role: 'user', content: text }];

async function drain(stream) {
  let text = '';
  for await (const chunk of stream) text += chunk.choices?.[0]?.delta?.content ?? chunk.text ?? '';
  return text;
}

export const users = [
  {
    id: 'alice',
    tenant: 'acme',
    feature: 'chat',
    calls: [
      ({ openai }) => openai.chat.completions.create({ model: 'gpt-4o-mini', messages: ask('Say hello.') }),
      async ({ openai }) =>
        drain(
          await openai.chat.completions.create({
            model: 'gpt-4o-mini',
            messages: ask('Count to three.'),
            stream: true,
            stream_options: { include_usage: true },
          }),
        ),
      ({ anthropic }) =>
        anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 512, messages: ask('One line on caching.') }),
    ],
  },
  {
    id: 'bob',
    tenant: 'acme',
    feature: 'search',
    calls: [
      ({ gemini }) => gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Summarise: llm-cost.' }),
      async ({ gemini }) =>
        drain(await gemini.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Stream a reply.' })),
      ({ openai }) => openai.embeddings.create({ model: 'text-embedding-3-small', input: 'a document to embed' }),
    ],
  },
  {
    id: 'carol',
    tenant: 'globex',
    feature: 'summarize',
    calls: [
      ({ openrouter }) =>
        openrouter.chat.completions.create({ model: 'anthropic/claude-sonnet-4.6', messages: ask('Summarise this.') }),
      async ({ anthropic }) => {
        const stream = anthropic.messages.stream({
          model: 'claude-sonnet-4-6',
          max_tokens: 512,
          messages: ask('Stream a summary.'),
        });
        return stream.finalMessage();
      },
    ],
  },
];
