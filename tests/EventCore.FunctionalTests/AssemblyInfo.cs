using EventCore.FunctionalTests.Infrastructure;
using Xunit.Sdk;
using Xunit.v3;

// The suites start real servers and measure timeouts of a few seconds; on a small (2-core) machine,
// running test classes side by side would make those timings flaky, so the classes run one at a time.
[assembly: Parallelization(Mode = ParallelMode.None)]

// The web root (with its generated 100 MB file) is built once for the whole run.
[assembly: AssemblyFixture(typeof(TestWebRoot))]
