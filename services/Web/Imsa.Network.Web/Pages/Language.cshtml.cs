using Imsa.Network.Web.Localization;
using Imsa.Network.Web.SignIn;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Web.Pages;

/// <summary>The language switcher's form: remembers the choice for a year, and goes back to the page it was on.</summary>
internal sealed class LanguageModel(IOptions<WebOptions> web) : PageModel
{
    public IActionResult OnGet() => LocalRedirect("/");

    public IActionResult OnPost(string? language, string? returnUrl)
    {
        if (Languages.All.FirstOrDefault(l => l.Code == language) is { } chosen)
        {
            Response.Cookies.Append(
                CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen.Code)),
                new CookieOptions { HttpOnly = true, Secure = web.Value.Https, SameSite = SameSiteMode.Lax, Path = "/", MaxAge = TimeSpan.FromDays(365), IsEssential = true });
        }

        return LocalRedirect(SessionCookie.IsLocalPath(returnUrl) ? returnUrl! : "/");
    }
}
