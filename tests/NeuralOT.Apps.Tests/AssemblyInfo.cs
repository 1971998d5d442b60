using Xunit;

// One test at a time, in every collection. TorchSharp 0.107's optimizers pass temporary Scalar objects to native
// calls without keeping them alive; a garbage collection started by another thread during such a call may finalize
// the Scalar while libtorch still reads it ("Unknown scalar type" from Adam.step, seen once in a full run while
// allocation-heavy tests ran beside a training test). With the tests in sequence the training thread does nearly all
// the allocating, so a collection starts at one of its own allocations rather than inside a native call.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
