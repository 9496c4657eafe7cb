namespace EventCore.Webserv;

/// <summary>The entry point: <see cref="WebservCommand"/> with the console.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => WebservCommand.RunAsync(args, Console.Out, Console.Error);
}
