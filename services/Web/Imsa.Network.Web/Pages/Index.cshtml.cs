using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages;

/// <summary>The start page: what this is and "Sign in"; once signed in, who the person is here, from their token.</summary>
internal sealed class IndexModel : PageModel
{
    public IReadOnlyList<string> Roles { get; private set; } = [];

    public string OrganisationId { get; private set; } = "";

    public IReadOnlyList<string> Methods { get; private set; } = [];

    public void OnGet()
    {
        Roles = [.. User.FindAll("role").Select(c => c.Value)];
        OrganisationId = User.FindFirst("org")?.Value ?? "";
        Methods = [.. User.FindAll("amr").Select(c => c.Value)];
    }
}
