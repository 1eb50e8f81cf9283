using Imsa.Network.Web.SignIn;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Web.Pages;

/// <summary>Sign-out (a form with its antiforgery token): forgets the session here, then ends the one at the token server.</summary>
internal sealed class SignOutModel(IOptions<WebOptions> web) : PageModel
{
    public IActionResult OnPost()
    {
        HttpContext.EndSession();
        return Redirect(SignInEndpoints.EndSessionUrl(web.Value).ToString());
    }
}
