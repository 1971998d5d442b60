namespace NeuralOT.Tests;

/// <summary>
/// Tests that train networks: TorchSharp's seed (torch.manual_seed) and thread count are process-wide, so these run
/// one at a time, never in parallel with each other. The trained fixtures that several test classes share belong to
/// the applications' tests (tests/NeuralOT.Apps.Tests), which run in their own process beside this one.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TrainingCollection
{
    public const string Name = "Training";
}
