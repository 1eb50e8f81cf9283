namespace Imsa.Network.Gateway;

public partial class Program
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddGateway();

        var app = builder.Build();
        app.MapGateway();
        await app.RunAsync();
    }
}
