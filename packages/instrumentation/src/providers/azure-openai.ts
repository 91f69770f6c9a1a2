/**
 * Azure OpenAI (`{resource}.openai.azure.com`, `{resource}.cognitiveservices.azure.com`): the OpenAI shape, with the
 * deployment name in the path (`/openai/deployments/{deployment}/chat/completions`) standing in for the requested
 * model; the response's `model` is the underlying model. The v1 API (`/openai/v1/...`) names the model in the body.
 */
import { GEN_AI_PROVIDER } from '@llm-cost/semconv';
import { matchOpenAiPath, openAiCompatibleProvider } from './openai-compatible.js';
import type { Endpoint } from './types.js';

const DEPLOYMENTS = '/deployments/';

export function matchAzurePath(path: string): Endpoint | undefined {
  const endpoint = matchOpenAiPath(path);
  if (endpoint === undefined) return undefined;
  const at = path.indexOf(DEPLOYMENTS);
  if (at === -1) return endpoint;
  const start = at + DEPLOYMENTS.length;
  const end = path.indexOf('/', start);
  const raw = path.slice(start, end === -1 ? undefined : end);
  let deployment = raw;
  try {
    deployment = decodeURIComponent(raw);
  } catch {
    // A malformed escape: keep the raw segment.
  }
  return deployment === '' ? endpoint : { ...endpoint, modelInPath: deployment };
}

export const azureOpenaiProvider = openAiCompatibleProvider({
  name: GEN_AI_PROVIDER.azureOpenai,
  matchPath: matchAzurePath,
});
