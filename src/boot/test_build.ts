// The test bundle (dist/tsvisor-test.cjs) is built with
// --define:TSVISOR_TEST_BUILD=true and alone has the test-only entries (a
// forbidden host call, the seccomp record mode); the production bundle is
// built with it false and esbuild drops the code behind it (the code must
// test the identifier itself, where it is used, for that).

declare global {
  const TSVISOR_TEST_BUILD: boolean;
}

export {};
