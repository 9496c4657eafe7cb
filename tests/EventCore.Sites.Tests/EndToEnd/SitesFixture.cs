using EventCore.Sites.Tests.Support;

namespace EventCore.Sites.Tests.EndToEnd;

/// <summary>
/// One Webserv host for the end-to-end suites: three servers (two names and a wildcard on port 0, a default on port 1)
/// over a site tree in a temporary folder, with a location of every kind, uploads and CGI.
/// </summary>
public sealed class SitesFixture : WebservFixture
{
    public const string ConfigText = """
        client_max_body_size 1m;
        server {
            listen 127.0.0.1:{PORT0};
            server_name default.test;
            root {SITE}/default;
            error_page 404 /errors/404.html;
            access_log {SITE}/logs/access.log;
            location /files/ { autoindex on; }
            location = /exact { return 200 "exact"; }
            location /prec/ { return 200 "prefix"; }
            location ^~ /prec/stop/ { return 200 "prefix-stop"; }
            location ~ ^/prec/.*\.txt$ { return 200 "regex-first"; }
            location ~ ^/prec/.*\.(txt|md)$ { return 200 "regex-second"; }
            location ~* ^/CASE/ { return 200 "regex-nocase"; }
            location = /old { return 301 /new; }
            location = /gone { return 410; }
            location = /teapot { return 418; error_page 418 https://errors.example/teapot; }
            location /alias/ { alias {SITE}/aliased/; }
            location /methods/ { allow_methods GET; }
            location /small/ { allow_methods POST; client_max_body_size 100; upload_store {SITE}/small; }
            location /upload/ {
                allow_methods GET HEAD POST PUT DELETE;
                alias {SITE}/store/;
                upload_store {SITE}/store;
                client_max_body_size 0;
            }
            location /cgi/ {
                allow_methods GET POST;
                cgi .php /usr/bin/php-cgi;
                cgi .py /usr/bin/python3;
                cgi_timeout 10s;
                index index.html index.php;
                error_page 404 /errors/404.html;
            }
            location /sh/ {
                cgi .sh exec;
                cgi_timeout 1s;
            }
        }
        server {
            listen 127.0.0.1:{PORT0};
            server_name other.test *.wild.test;
            root {SITE}/other;
        }
        server {
            listen 127.0.0.1:{PORT1};
            root {SITE}/second;
        }
        """;

    protected override string Config => ConfigText;

    public string Store => Site.PathOf("store");

    protected override void Populate()
    {
        Site.Write("default/index.html", "default index");
        Site.Write("default/errors/404.html", "custom not found page");
        Site.Write("default/files/readme.txt", "readme");
        Site.Write("default/files/a<b>&c\".txt", "odd name");
        Site.Folder("default/files/folder");
        Site.Write("default/sub/index.html", "sub index");
        Site.Write("default/noindex/file.txt", "file");
        Site.Write("default/static.txt", "static content 0123456789");
        Site.Write("default/page.unknownext", "unknown type");
        Site.Write("aliased/page.txt", "aliased page");
        Site.Write("other/index.html", "other index");
        Site.Write("second/index.html", "second index");
        Site.Write("default/cgi/hello.php", "<?php echo 'php says ' . htmlspecialchars($_GET['name'] ?? '') . ' ' . $_SERVER['REQUEST_METHOD'];\n");
        Site.Write("default/cgi/echo.py", "import os, sys\nbody = sys.stdin.read()\nsys.stdout.write('Content-Type: text/plain\\r\\n\\r\\n')\nsys.stdout.write(os.environ['REQUEST_METHOD'] + ' ' + os.environ.get('PATH_INFO', '') + ' ' + os.environ['SCRIPT_NAME'] + ' ' + body.upper())\n");
        Site.Write("default/cgi/crash.py", "raise SystemExit(3)\n");
        Site.Write("default/cgi/app/index.php", "<?php echo 'php index ' . $_SERVER['SCRIPT_NAME'];\n");
        Site.Folder("store");
        var slow = Site.Write("default/sh/slow.sh", "#!/bin/sh\nsleep 30\n");
        File.SetUnixFileMode(slow, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Site.Write("default/sh/noexec.sh", "#!/bin/sh\necho\n");
        File.CreateSymbolicLink(Site.PathOf("default/link-in.txt"), Site.PathOf("default/static.txt"));
        File.CreateSymbolicLink(Site.PathOf("default/link-out.txt"), Site.PathOf("aliased/page.txt"));
        Directory.CreateSymbolicLink(Site.PathOf("default/dir-out"), Site.PathOf("aliased"));
    }
}
