using System.Buffers;
using System.Net.Sockets;
using System.Text;
using EventCore.Cgi.Processes;
using Microsoft.Extensions.Logging;

namespace EventCore.Cgi.Execution;

/// <summary>stderr: each line to the log (category EventCore.Cgi), as nginx logs "FastCGI sent in stderr".</summary>
internal sealed partial class CgiRun
{
    private const int MaxStandardErrorLine = 4096;
    private const int MaxStandardErrorLines = 1000;

    private int _standardErrorLines;

    /// <summary>Reads stderr until EOF (every writer gone) or the grace after the script's end; never throws.</summary>
    private async Task PumpStandardErrorAsync(ChildProcess child)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxStandardErrorLine);
        var line = ArrayPool<byte>.Shared.Rent(MaxStandardErrorLine);
        var lineLength = 0;
        try
        {
            int read;
            while ((read = await child.StandardError.ReceiveAsync(buffer.AsMemory(0, MaxStandardErrorLine), SocketFlags.None, _standardErrorStop.Token)) > 0)
            {
                foreach (var b in buffer.AsSpan(0, read))
                {
                    if (b == (byte)'\n' || lineLength == MaxStandardErrorLine)
                    {
                        LogStandardError(line.AsSpan(0, lineLength));
                        lineLength = 0;
                        if (b == (byte)'\n')
                        {
                            continue;
                        }
                    }

                    line[lineLength++] = b;
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException)
        {
            // The grace after the script's end ran out (a process outside the group holds stderr), or the pipe broke.
        }
        finally
        {
            LogStandardError(line.AsSpan(0, lineLength));
            ArrayPool<byte>.Shared.Return(line);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void LogStandardError(ReadOnlySpan<byte> line)
    {
        if (line is [.., (byte)'\r'])
        {
            line = line[..^1];
        }

        if (line.IsEmpty || !_logger.IsEnabled(LogLevel.Warning))
        {
            return;
        }

        _standardErrorLines++;
        if (_standardErrorLines <= MaxStandardErrorLines)
        {
            CgiLog.StandardError(_logger, _script.ScriptName, Encoding.UTF8.GetString(line));
        }
        else if (_standardErrorLines == MaxStandardErrorLines + 1)
        {
            CgiLog.StandardErrorTruncated(_logger, _script.ScriptName, MaxStandardErrorLines);
        }
    }
}
