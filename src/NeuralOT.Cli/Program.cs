System.Console.WriteLine(NeuralOT.Probe.Version());
var t = TorchSharp.torch.ones(3);
System.Console.WriteLine(t.sum().item<float>());
