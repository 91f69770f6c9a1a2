/** Shared test support: import from here in any package's tests. */
export {
  startProviderServer,
  TEST_TLS,
  type ProviderTransport,
  ChunkGate,
  sseChunks,
  splitEvery,
  splitAt,
  type ProviderReply,
  type ProviderRoute,
  type ProviderServer,
  type RecordedRequest,
} from './provider-server.js';
export { createSpanCollector, pollUntil, type SpanCollector } from './span-collector.js';
export { expectLlmSpan, expectNoSecrets, spanText, type ExpectedLlmSpan } from './expect-llm-span.js';
export {
  repoRoot,
  projectFixturesDir,
  sharedFixturesDir,
  sharedFixturesAvailable,
  sharedFixturesMissingMessage,
  sharedFixtures,
  projectFixtures,
  projectFixture,
  fixtureStatus,
  fixtureReply,
  fixturePath,
  fixtureRequestBody,
  type Fixture,
  type FixtureMeta,
} from './fixtures.js';
export { readAllBytes, readSse } from './read-body.js';
export { runNodeScript, type NodeScriptResult } from './run-node.js';
export { captureDiag, type DiagCapture } from './diag-capture.js';
export { testStorePath, uniqueDatabase, captureIo, type CapturedIo } from './temp-store.js';
