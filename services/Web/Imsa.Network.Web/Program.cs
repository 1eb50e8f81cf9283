namespace Imsa.Network.Web;

public partial class Program
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddWebServices();

        var app = builder.Build();
        app.MapWeb();
        await app.RunAsync();
    }
}
