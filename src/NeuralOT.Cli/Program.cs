return await NeuralOT.Cli.CliApplication.InvokeWithSignalsAsync(args);
