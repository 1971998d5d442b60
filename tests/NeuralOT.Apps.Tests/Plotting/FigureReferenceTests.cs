using NeuralOT.Costs;
using NeuralOT.Plotting;
using NeuralOT.Solvers;
using NeuralOT.Tests.Solvers;

namespace NeuralOT.Tests.Plotting;

/// <summary>The figures compare with the closed form of the problem a result was solved for, not one of their own.</summary>
[Collection(TrainingCollection.Name)]
public class FigureReferenceTests
{
    [Fact]
    public void TheFiguresUseTheClosedFormOfTheResultsProblem()
    {
        var pair = TestProblems.SmallGaussianPair();
        using var problem = new TransportProblem(pair.Source, pair.Target, QuadraticCost.Instance);
        using var result = MinimaxSolver.Solve(problem, new SolverOptions { Iterations = 0 });
        Assert.NotNull(problem.ClosedForm);
        Assert.Same(problem.ClosedForm, Figures.AnalyticReference(result));

        using var powerProblem = problem.WithCost(new PowerCost(1.5));
        using var powerResult = MinimaxSolver.Solve(powerProblem, new SolverOptions { Iterations = 0 });
        Assert.Null(Figures.AnalyticReference(powerResult));
    }
}
