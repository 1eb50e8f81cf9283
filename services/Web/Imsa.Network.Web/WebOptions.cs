namespace Imsa.Network.Web;

/// <summary>The "Web" configuration section: where the application and the services it calls are reached.</summary>
internal sealed class WebOptions
{
    /// <summary>The application's own address as the browser sees it, ending in "/"; the redirect URI is "{PublicUrl}signed-in".</summary>
    public Uri PublicUrl { get; set; } = new("http://localhost:5104/");

    public PartnersOptions Partners { get; set; } = new();

    public ServiceOptions Counselling { get; set; } = new();

    public ServiceOptions Handovers { get; set; } = new();

    public SignInOptions SignIn { get; set; } = new();

    /// <summary>Cookies get the __Host- prefix and Secure only where the browser reaches the application over https.</summary>
    public bool Https => PublicUrl.Scheme == Uri.UriSchemeHttps;

    public Uri RedirectUri => new(PublicUrl, "signed-in");
}

internal sealed class PartnersOptions
{
    /// <summary>The token server as the browser reaches it (through the gateway), for the sign-in and sign-out pages.</summary>
    public Uri PublicUrl { get; set; } = new("http://localhost:5100/partners/");

    /// <summary>The token server as this application reaches it, for the code exchange and its API.</summary>
    public Uri Url { get; set; } = new("http://127.0.0.1:5101/");
}

internal sealed class ServiceOptions
{
    public Uri? Url { get; set; }
}

internal sealed class SignInOptions
{
    public string ClientId { get; set; } = "imsa-web";

    public string ClientSecret { get; set; } = "";
}
