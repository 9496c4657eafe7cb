using EventCore.Sites.Serving;

namespace EventCore.Sites.Tests.Serving;

public sealed class UploadNamesTests
{
    [Theory]
    [InlineData("report.pdf", "report.pdf")]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("C:\\Users\\me\\photo.jpg", "photo.jpg")]
    [InlineData(".htaccess", "htaccess")]
    [InlineData("..", "upload")]
    [InlineData("", "upload")]
    [InlineData("a\u0000b\nc.txt", "a_b_c.txt")]
    [InlineData("what?*<>|\":%.txt", "what________.txt")]
    [InlineData("  spaced name.txt  ", "spaced name.txt")]
    [InlineData("été.txt", "été.txt")]
    public void Keeps_a_plain_last_segment(string name, string expected)
    {
        Assert.Equal(expected, UploadNames.Sanitize(name));
        Assert.True(UploadNames.IsSafe(UploadNames.Sanitize(name)));
    }

    [Fact]
    public void Long_names_are_cut_to_200_bytes() => Assert.Equal(200, UploadNames.Sanitize(new string('é', 300)).Length * 2);
}
