using Alpacon.Mcp.Tools;

namespace Alpacon.Mcp.Tests.Tools;

public sealed class InlineCredentialsTests
{
    [Theory]
    [InlineData("mysql -uroot -pS3cret -e 'select 1'")]
    [InlineData("mysqldump -u app -p'hunter2' shop > /tmp/shop.sql")]
    [InlineData("/usr/bin/mysql -pabc")]
    [InlineData("PGPASSWORD=hunter2 psql -h db -U app")]
    [InlineData("export API_TOKEN=abc123; ./deploy.sh")]
    [InlineData("env MYSQL_PWD=x mysql")]
    [InlineData("psql postgres://app:hunter2@db.internal/shop")]
    [InlineData("git clone https://deploy:ghp_abc@github.com/acme/app.git")]
    [InlineData("curl -u admin:secret https://api.internal/health")]
    [InlineData("redis-cli --password=secret ping")]
    [InlineData("sshpass -p secret ssh web-01 uptime")]
    [InlineData("cd /srv && mysql -pX -e 'show tables'")]
    [InlineData("sudo -u app mysql -pS3cret")]
    [InlineData("timeout 30 mysql -pX")]
    [InlineData("nice -n 10 ionice -c 3 mysqldump -uroot -phunter2 shop")]
    [InlineData("sudo -u deploy env HOME=/srv /usr/bin/mysql -pX")]
    [InlineData("docker exec -i db mysql -uroot -pS3cret shop")]
    [InlineData("bash -c 'mysql -pS3cret -e \"select 1\"'")]
    [InlineData("timeout 10 sshpass -p secret ssh web-01 uptime")]
    [InlineData("sudo -u app curl -u admin:secret https://api.internal/health")]
    public void Find_FlagsInlineSecrets(string line) => Assert.NotNull(InlineCredentials.Find(line));

    [Theory]
    [InlineData("ls -la /var/log")]
    [InlineData("grep -p pattern file")]
    [InlineData("ssh user@host uptime")]
    [InlineData("scp /tmp/a.txt deploy@web-02:/tmp/")]
    [InlineData("mysql -u root -p")]
    [InlineData("PGPASSWORD=$DB_PASSWORD psql -h db")]
    [InlineData("mysql -p$MYSQL_PASSWORD -e 'select 1'")]
    [InlineData("psql postgres://app:$PW@db/shop")]
    [InlineData("docker pull nginx:1.25@sha256:0123abcd")]
    [InlineData("grep -r PASSWORD= /etc/app.conf")]
    [InlineData("ssh -p 2222 admin@bastion")]
    [InlineData("echo $API_TOKEN | wc -c")]
    [InlineData("git clone git@github.com:acme/app.git")]
    [InlineData("systemctl status nginx")]
    [InlineData("sudo -u app mysql -p")]
    [InlineData("timeout 30 mysql -p$DB_PASSWORD")]
    [InlineData("systemctl restart mysql && mkdir -p /var/lib/app")]
    [InlineData("timeout 5 curl -u $CREDS https://api.internal/health")]
    public void Find_LeavesOrdinaryLinesAlone(string line) => Assert.Null(InlineCredentials.Find(line));

    [Fact]
    public void Find_NamesTheKind_NotTheValue()
    {
        var found = InlineCredentials.Find("PGPASSWORD=hunter2 psql");
        Assert.Contains("PGPASSWORD", found);
        Assert.DoesNotContain("hunter2", found);
    }
}
