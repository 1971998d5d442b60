using NeuralOT.Tests.Cli;
using NeuralOT.Tests.Plotting;

namespace NeuralOT.Tests;

/// <summary>
/// Tests that train networks: TorchSharp's seed (torch.manual_seed) and thread count are process-wide, so these run
/// one at a time, never in parallel with each other. The collection's fixtures are trained results that several test
/// classes read, each trained at most once per test run and only when a test asks for it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TrainingCollection : ICollectionFixture<FastGaussianRun>, ICollectionFixture<BidirectionalRun>, ICollectionFixture<FigureResults>
{
    public const string Name = "Training";
}
