return await NeuralOT.Cli.CliApplication.InvokeAsync(args);
