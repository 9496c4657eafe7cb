using EventCore.Webserv;

return await WebservCommand.RunAsync(args, Console.Out, Console.Error);
