using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages;

/// <summary>A failure or an unknown address, in the person's language: never a stack trace.</summary>
[IgnoreAntiforgeryToken]
internal sealed class ErrorModel : PageModel
{
    public bool IsNotFound { get; private set; }

    public bool IsForbidden { get; private set; }

    public void OnGet(int? status)
    {
        IsNotFound = status == StatusCodes.Status404NotFound;
        IsForbidden = status == StatusCodes.Status403Forbidden;
    }

    // A failed POST is re-executed as a POST.
    public void OnPost(int? status) => OnGet(status);
}
