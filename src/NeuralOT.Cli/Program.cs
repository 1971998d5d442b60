using System.CommandLine;

var root = new RootCommand("neuralot: neural optimal transport, Wasserstein geodesics and reference solvers.");
return root.Parse(args).Invoke();
