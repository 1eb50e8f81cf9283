using System.Net;
using Imsa.Network.Web.Api;
using Imsa.Network.Web.SignIn;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Caching.Memory;

namespace Imsa.Network.Web.Pages;

/// <summary>What a receipt says, as Counselling's <c>POST /consent-withdrawals/lookup</c> answers it.</summary>
internal sealed record ReceiptContent(
    Guid ConsentReceiptId,
    string State,
    Guid Controller,
    IReadOnlyList<Guid> Recipients,
    IReadOnlyList<string> Categories,
    bool Sensitive,
    DateTimeOffset ValidFrom,
    DateTimeOffset ValidUntil,
    DateTimeOffset? EndedAt)
{
    public bool CanBeWithdrawn => State is "active" or "not-yet-valid";
}

/// <summary>An organisation's name, as Partners' anonymous <c>GET /directory/names</c> answers it.</summary>
internal sealed record OrganisationName(Guid Id, string Name);

internal sealed record WithdrawalDone(Guid ConsentReceiptId, string State, DateTimeOffset EndedAt, bool AlreadyEnded);

/// <summary>
/// The person's page, without an account: reached from the receipt's QR code (<c>/withdraw?code=…&amp;lang=ar</c>)
/// or by typing the code. It shows what the receipt says and withdraws the consent with one confirmation, through
/// Counselling's anonymous endpoints. The code travels to the API in a body, never in an address this application
/// calls or logs. The organisations the receipt names by id are shown by name, from Partners' anonymous
/// <c>GET /directory/names</c> (names are public facts of the network); by id only when a name is not known.
/// </summary>
internal sealed class WithdrawModel(NetworkApi api, IMemoryCache cache) : PageModel
{
    // To Counselling every person using this page is one caller, this application, so one guesser would exhaust
    // everyone's allowance there: wrong codes are counted here per address first, with the API's default limit.
    private const int WrongCodesAllowed = 10;

    private static readonly TimeSpan WrongCodesWindow = TimeSpan.FromMinutes(1);

    // Partners answers at most this many names at once.
    private const int MaxNames = 20;

    public string? Code { get; private set; }

    public ReceiptContent? Receipt { get; private set; }

    public WithdrawalDone? Withdrawn { get; private set; }

    public ApiProblem? Problem { get; private set; }

    /// <summary>The names of the organisations the receipt names, as far as Partners knows them.</summary>
    public IReadOnlyDictionary<Guid, string> Names { get; private set; } = new Dictionary<Guid, string>();

    /// <summary>Whether an organisation on the receipt is shown by its id, for want of a name.</summary>
    public bool SomeUnnamed => Receipt is { } receipt && receipt.Recipients.Append(receipt.Controller).Any(id => !Names.ContainsKey(id));

    public bool CodeRefused => Problem is { Status: 404 or 422 };

    public async Task<IActionResult> OnGetAsync(string? code, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(code) ? Page() : await LookUpAsync(code, cancellationToken);

    public Task<IActionResult> OnPostLookupAsync(string? code, CancellationToken cancellationToken) =>
        LookUpAsync(code, cancellationToken);

    public async Task<IActionResult> OnPostWithdrawAsync(string? code, CancellationToken cancellationToken)
    {
        if (!Accept(code))
        {
            return Answer();
        }

        var result = await CallAsync<WithdrawalDone>("consent-withdrawals", cancellationToken);
        Withdrawn = result.Value;
        Problem = result.Problem;
        return Answer();
    }

    private async Task<IActionResult> LookUpAsync(string? code, CancellationToken cancellationToken)
    {
        if (!Accept(code))
        {
            return Answer();
        }

        var result = await CallAsync<ReceiptContent>("consent-withdrawals/lookup", cancellationToken);
        Receipt = result.Value;
        Problem = result.Problem;
        if (Receipt is { } receipt)
        {
            Names = await NamesAsync(receipt, cancellationToken);
        }

        return Answer();
    }

    /// <summary>The names Partners knows; none when it does not answer (the page then shows the ids, as the receipt has them).</summary>
    private async Task<Dictionary<Guid, string>> NamesAsync(ReceiptContent receipt, CancellationToken cancellationToken)
    {
        var ids = receipt.Recipients.Prepend(receipt.Controller).Distinct().Take(MaxNames);
        var query = string.Join('&', ids.Select(id => $"id={id}"));
        var names = await api.SendWithoutTokenAsync<List<OrganisationName>>(
            SignInEndpoints.PartnersClient, HttpMethod.Get, $"directory/names?{query}", body: null, cancellationToken);
        return (names.Value ?? []).ToDictionary(name => name.Id, name => name.Name);
    }

    private bool Accept(string? code)
    {
        Code = code?.Trim();
        if (string.IsNullOrEmpty(Code) || Code.Length > 64)
        {
            Problem = new ApiProblem(StatusCodes.Status422UnprocessableEntity, ["code"]);
            return false;
        }

        if (cache.TryGetValue(GuessKey, out WrongCodes? wrong) && wrong!.Count >= WrongCodesAllowed)
        {
            Problem = new ApiProblem(StatusCodes.Status429TooManyRequests, []);
            return false;
        }

        return true;
    }

    private async Task<ApiResult<T>> CallAsync<T>(string path, CancellationToken cancellationToken)
        where T : class
    {
        var result = await api.SendWithoutTokenAsync<T>(NetworkApi.Counselling, HttpMethod.Post, path, new { code = Code }, cancellationToken);
        if (result.Problem is { Status: StatusCodes.Status404NotFound })
        {
            var wrong = cache.GetOrCreate(GuessKey, entry =>
            {
                entry.AbsoluteExpirationRelativeToNow = WrongCodesWindow;
                return new WrongCodes();
            })!;
            Interlocked.Increment(ref wrong.Count);
        }

        return result;
    }

    private string GuessKey => "withdraw-guesses:" + (HttpContext.Connection.RemoteIpAddress ?? IPAddress.None);

    /// <summary>The page, with the status of the API's refusal when there was one (a wrong code is a 404 here too).</summary>
    private PageResult Answer()
    {
        if (Problem is { } problem)
        {
            Response.StatusCode = problem.Status;
        }

        return Page();
    }

    /// <summary>The translated message for a refusal.</summary>
    public static string ProblemText(ApiProblem problem) => problem.Status switch
    {
        404 => "person.problem.404",
        400 or 422 => "person.problem.422",
        429 => "problem.429",
        _ => "problem.other",
    };

    private sealed class WrongCodes
    {
        public int Count;
    }
}
