using System.Text;
using Alpacon.Emulator.Shell;

namespace Alpacon.Emulator.Tests.Shell;

public class VirtualFileSystemTests
{
    private static readonly Account Jane = new("jane", 2001, 2001, "jane", "/home/jane", "/bin/bash", []);
    private static readonly Account Bo = new("bo", 2002, 2002, "bo", "/home/bo", "/bin/bash", []);

    [Theory]
    [InlineData("/etc//hostname", "/", "/etc/hostname")]
    [InlineData("a/./b/../c", "/home/jane", "/home/jane/a/c")]
    [InlineData("../../../..", "/home/jane", "/")]
    [InlineData("/..", "/tmp", "/")]
    [InlineData("", "/var/log", "/var/log")]
    [InlineData("/var/log/", "/", "/var/log")]
    public void Normalize_RelativeDotsAndSlashes_ResolvesLexically(string path, string cwd, string expected) =>
        Assert.Equal(expected, VfsPath.Normalize(path, cwd));

    [Fact]
    public void ReadFile_DotDotAboveRoot_StaysAtRoot()
    {
        var fs = new VirtualFileSystem();
        fs.WriteText("/etc/motd", "hello", createParents: true);

        Assert.Equal("hello", fs.ReadText("/../../etc/./motd"));
    }

    [Fact]
    public void WriteFile_MissingParentWithoutCreate_ThrowsNotFound()
    {
        var fs = new VirtualFileSystem();

        var error = Assert.Throws<VfsException>(() => fs.WriteText("/no/such/file", "x"));

        Assert.Equal(VfsError.NotFound, error.Error);
        Assert.Equal("No such file or directory", error.Reason);
    }

    [Fact]
    public void WriteFile_CreateParents_MakesDirectoriesOwnedByTheUser()
    {
        var fs = new VirtualFileSystem();
        fs.Put("/home/jane", null, "jane", "jane");

        fs.WriteText("/home/jane/a/b/c.txt", "data", Jane, createParents: true);

        Assert.Equal("jane", fs.GetEntry("/home/jane/a/b").Owner);
        Assert.Equal("jane", fs.GetEntry("/home/jane/a/b/c.txt").Owner);
        Assert.Equal(4, fs.UsedBytes);
    }

    [Fact]
    public void ReadFile_PathThroughFile_ThrowsNotADirectory()
    {
        var fs = new VirtualFileSystem();
        fs.WriteText("/file", "x");

        Assert.Equal(VfsError.NotADirectory, Assert.Throws<VfsException>(() => fs.ReadFile("/file/inner")).Error);
    }

    [Fact]
    public void WriteFile_NonRootUnderEtc_ThrowsPermissionDenied()
    {
        var fs = new VirtualFileSystem();
        fs.Put("/etc", null);

        var error = Assert.Throws<VfsException>(() => fs.WriteText("/etc/evil.conf", "x", Jane));

        Assert.Equal(VfsError.PermissionDenied, error.Error);
        Assert.False(fs.Exists("/etc/evil.conf"));
    }

    [Fact]
    public void ReadFile_NonRootUnderPrivateRoot_ThrowsPermissionDenied()
    {
        var fs = new VirtualFileSystem();
        fs.Put("/root", null, mode: 0b111_000_000);
        fs.Put("/root/secret", "s3cret");

        Assert.Equal(VfsError.PermissionDenied, Assert.Throws<VfsException>(() => fs.ReadFile("/root/secret", Jane)).Error);
        Assert.Null(fs.Stat("/root/secret", Jane));
        Assert.Equal("s3cret", fs.ReadText("/root/secret"));
    }

    [Fact]
    public void Delete_OtherUsersFileInStickyTmp_ThrowsPermissionDenied()
    {
        var fs = new VirtualFileSystem();
        fs.Put("/tmp", null, mode: VirtualFileSystem.StickyBit | 0b111_111_111);
        fs.WriteText("/tmp/janes", "x", Jane);

        Assert.Throws<VfsException>(() => fs.Delete("/tmp/janes", Bo));
        fs.Delete("/tmp/janes", Jane);
        Assert.False(fs.Exists("/tmp/janes"));
    }

    [Fact]
    public void Delete_NonEmptyDirectoryWithoutRecursive_ThrowsNotEmpty()
    {
        var fs = new VirtualFileSystem();
        fs.WriteText("/d/f", "x", createParents: true);

        Assert.Equal(VfsError.NotEmpty, Assert.Throws<VfsException>(() => fs.Delete("/d")).Error);
        fs.Delete("/d", recursive: true);
        Assert.False(fs.Exists("/d"));
        Assert.Equal(0, fs.UsedBytes);
    }

    [Fact]
    public void List_Directory_ReturnsEntriesSortedByName()
    {
        var fs = new VirtualFileSystem();
        fs.WriteText("/d/b", "2", createParents: true);
        fs.WriteText("/d/a", "1");
        fs.MakeDirectory("/d/c");

        var entries = fs.List("/d");

        Assert.Equal(["a", "b", "c"], entries.Select(e => e.Name));
        Assert.True(entries[2].IsDirectory);
        Assert.Equal("-rw-r--r--", entries[0].ModeString);
        Assert.Equal("drwxr-xr-x", entries[2].ModeString);
    }

    [Fact]
    public void WriteFile_BeyondCapacity_ThrowsNoSpaceAndKeepsOldContent()
    {
        var fs = new VirtualFileSystem(capacity: 10);
        fs.WriteText("/f", "12345");

        Assert.Equal(VfsError.NoSpace, Assert.Throws<VfsException>(() => fs.WriteText("/g", "1234567")).Error);
        Assert.Equal("12345", fs.ReadText("/f"));
        Assert.False(fs.Exists("/g"));
    }

    [Fact]
    public void Move_FileOntoDirectoryPath_RenamesAndCopyDuplicates()
    {
        var fs = new VirtualFileSystem();
        fs.WriteText("/a.txt", "A");

        fs.Copy("/a.txt", "/b.txt");
        fs.Move("/a.txt", "/c.txt");

        Assert.False(fs.Exists("/a.txt"));
        Assert.Equal("A", fs.ReadText("/b.txt"));
        Assert.Equal("A", fs.ReadText("/c.txt"));
    }

    [Fact]
    public void ZipFolder_ThenUnzip_RoundTripsTreeUnderFolderName()
    {
        var fs = new VirtualFileSystem();
        fs.WriteText("/srv/site/index.html", "<h1>hi</h1>", createParents: true);
        fs.WriteText("/srv/site/css/app.css", "body{}", createParents: true);
        fs.MakeDirectory("/srv/site/empty");

        var zip = fs.ZipFolder("/srv/site");
        var written = fs.Unzip(zip, "/restore");

        Assert.Equal("<h1>hi</h1>", fs.ReadText("/restore/site/index.html"));
        Assert.Equal("body{}", fs.ReadText("/restore/site/css/app.css"));
        Assert.True(fs.IsDirectory("/restore/site/empty"));
        Assert.Equal(["/restore/site/css/app.css", "/restore/site/index.html"], written.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Unzip_EntryEscapingTarget_ThrowsInvalidArgument()
    {
        using var buffer = new MemoryStream();
        using (var archive = new System.IO.Compression.ZipArchive(buffer, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            using var stream = archive.CreateEntry("../../etc/passwd").Open();
            stream.Write(Encoding.UTF8.GetBytes("owned"));
        }
        var fs = new VirtualFileSystem();
        fs.MakeDirectory("/upload");

        Assert.Equal(VfsError.InvalidArgument, Assert.Throws<VfsException>(() => fs.Unzip(buffer.ToArray(), "/upload")).Error);
        Assert.False(fs.Exists("/etc/passwd"));
    }

    [Fact]
    public void Unzip_LargerThanCapacity_ThrowsNoSpace()
    {
        var source = new VirtualFileSystem();
        source.WriteText("/big/zeros", new string('0', 4096), createParents: true);
        var zip = source.ZipFolder("/big");
        var small = new VirtualFileSystem(capacity: 1000);

        Assert.Equal(VfsError.NoSpace, Assert.Throws<VfsException>(() => small.Unzip(zip, "/")).Error);
    }
}
