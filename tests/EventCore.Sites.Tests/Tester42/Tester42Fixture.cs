using EventCore.Sites.Tests.Support;

namespace EventCore.Sites.Tests.Tester42;

/// <summary>
/// The setup the well-known 42 webserv tester expects: a <c>YoupiBanane</c> tree, <c>/</c> GET only,
/// <c>/directory/</c> aliased to YoupiBanane with index youpi.bad_extension, <c>.bla</c> files run through a CGI that
/// upper-cases its input (the tester's <c>cgi_tester</c>, here a python3 script), <c>/put_test/</c> PUT only into an
/// upload store, <c>/post_body</c> limited to 100 bytes.
/// </summary>
public sealed class Tester42Fixture : WebservFixture
{
    public const string ConfigText = """
        client_max_body_size 0;
        cgi_timeout 120s;
        server {
            listen 127.0.0.1:{PORT0};
            root {SITE}/www;
            allow_methods GET;
            location /put_test/ {
                allow_methods PUT;
                upload_store {SITE}/put_store;
            }
            location ~ \.bla$ {
                allow_methods GET POST;
                cgi .bla {SITE}/cgi_tester;
            }
            location /post_body {
                allow_methods POST;
                client_max_body_size 100;
                return 200 "body accepted\n";
            }
            location ^~ /directory/ {
                allow_methods GET POST;
                alias {SITE}/YoupiBanane/;
                index youpi.bad_extension;
                cgi .bla {SITE}/cgi_tester;
            }
        }
        """;

    protected override string Config => ConfigText;

    protected override void Populate()
    {
        Site.Write("www/index.html", "42 index");
        Site.Write("YoupiBanane/youpi.bad_extension", "youpi bad extension");
        Site.Write("YoupiBanane/youpi.bla", "");
        Site.Write("YoupiBanane/nop/youpi.bad_extension", "nop youpi");
        Site.Write("YoupiBanane/nop/other.pouic", "pouic");
        Site.Write("YoupiBanane/Yeah/not_happy.bad_extension", "not happy");
        Site.Write("www/youpi.bla", "");

        // The tester's cgi_tester: echoes its input upper-cased, streaming (100 MB bodies).
        var cgi = Site.Write("cgi_tester", """
            #!/usr/bin/python3
            import sys
            out = sys.stdout.buffer
            out.write(b"Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n")
            for chunk in iter(lambda: sys.stdin.buffer.read(65536), b""):
                out.write(chunk.upper())
            out.flush()

            """);
        File.SetUnixFileMode(cgi, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
    }
}
