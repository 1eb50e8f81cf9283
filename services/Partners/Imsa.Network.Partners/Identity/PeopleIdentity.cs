using Imsa.Network.Access;
using System.Security.Claims;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Identity;
using OtpNet;

namespace Imsa.Network.Partners.Identity;

/// <summary>People's accounts: ASP.NET Core Identity's user manager on Partners' database, with the network's rules.</summary>
internal static class PeopleIdentity
{
    /// <summary>The name the single-use authenticator provider is registered under.</summary>
    public const string Authenticator = "imsa-authenticator";

    public static IServiceCollection AddPeopleIdentity(this IServiceCollection services)
    {
        services.AddIdentityCore<Person>(options =>
            {
                // NIST SP 800-63B: length, not composition; every character allowed; long passphrases welcome.
                options.Password.RequiredLength = PasswordLength.Minimum;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequiredUniqueChars = 1;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.Lockout.AllowedForNewUsers = true;
                options.User.RequireUniqueEmail = true;
                options.User.AllowedUserNameCharacters = "";
                options.Tokens.AuthenticatorTokenProvider = Authenticator;
                // Only an enrolled, not deactivated person may sign in (ActivePeople).
                options.SignIn.RequireConfirmedAccount = true;
                // Identity's schema with passkeys (identity.person_passkeys).
                options.Stores.SchemaVersion = IdentitySchemaVersions.Version3;
            })
            .AddEntityFrameworkStores<PartnersDbContext>()
            .AddSignInManager()
            .AddUserConfirmation<ActivePeople>()
            .AddTokenProvider<SingleUseAuthenticator>(Authenticator)
            .AddPasswordValidator<PasswordLength>();
        // The second factor's secrets encrypted at rest (ProtectedPeopleStore); no start without the key.
        services.AddOptions<PeopleTokenKeyOptions>().BindConfiguration("People")
            .Validate(
                options => SymmetricKeys.TryDecode(options.TokenKey, out _),
                "People:TokenKey, 32 random bytes in base64 (openssl rand -base64 32), is required: it encrypts people's authenticator keys and recovery codes.")
            .ValidateOnStart();
        services.AddScoped<IUserStore<Person>, ProtectedPeopleStore>();
        // Passkeys for this site only: the relying party is the host people reach the token server at (the gateway's),
        // and an answer counts only from that origin. Identity requires user verification (PIN, biometrics) by default.
        services.AddOptions<IdentityPasskeyOptions>()
            .Configure<IOptions<NetworkOptions>>((passkeys, network) =>
            {
                if (network.Value.PublicUrl is { IsAbsoluteUri: true } url)
                {
                    var origin = url.GetLeftPart(UriPartial.Authority);
                    passkeys.ServerDomain = url.Host;
                    passkeys.ValidateOrigin = context => ValueTask.FromResult(!context.CrossOrigin && string.Equals(context.Origin, origin, StringComparison.OrdinalIgnoreCase));
                }
            });
        services.AddAuthentication().AddIdentityCookies();
        // Served over https (every real deployment), the cookies are Secure and "__Host-" (this host only, path /);
        // the local network on http://127.0.0.1 gets the same cookies without the prefix, which needs Secure.
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<IOptions<NetworkOptions>>((cookie, network) =>
            {
                // The sign-in session at the token server only: what a person's applications hold are their tokens.
                Harden(cookie.Cookie, "imsa-person", network.Value, SameSiteMode.Lax);
                // A working day at most, also on a shared computer in a counselling office: then the password and code again.
                cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
                cookie.SlidingExpiration = false;
                cookie.LoginPath = SignInPages.Path;
                cookie.AccessDeniedPath = SignInPages.Path;
            });
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme)
            .Configure<IOptions<NetworkOptions>>((cookie, network) =>
            {
                Harden(cookie.Cookie, "imsa-person-step", network.Value, SameSiteMode.Strict);
                cookie.ExpireTimeSpan = TimeSpan.FromMinutes(5);
            });
        services.AddAntiforgery();
        services.AddOptions<AntiforgeryOptions>()
            .Configure<IOptions<NetworkOptions>>((antiforgery, network) => Harden(antiforgery.Cookie, "imsa-antiforgery", network.Value, SameSiteMode.Strict));
        // A deactivated person's sign-in session ends at its next check (the security stamp changes on deactivation).
        services.Configure<SecurityStampValidatorOptions>(options =>
        {
            options.ValidationInterval = TimeSpan.FromMinutes(1);
            // The check rebuilds the session's principal from the database: how and when the person signed in stay.
            options.OnRefreshingPrincipal = context =>
            {
                if (context.NewPrincipal?.Identity is ClaimsIdentity refreshed && context.CurrentPrincipal is { } current)
                {
                    refreshed.AddClaims(current.Claims
                        .Where(c => c.Type is PersonTokens.MethodsClaim or PersonTokens.AuthenticationTime)
                        .Select(c => new Claim(c.Type, c.Value)));
                }

                return Task.CompletedTask;
            };
        });
        return services;
    }

    private static void Harden(CookieBuilder cookie, string name, NetworkOptions network, SameSiteMode sameSite)
    {
        var https = network.PublicUrl is not { Scheme: "http" };
        cookie.Name = https ? $"__Host-{name}" : name;
        cookie.SecurePolicy = https ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        cookie.HttpOnly = true;
        cookie.SameSite = sameSite;
        cookie.Path = "/";
        cookie.Domain = null;
    }
}

/// <summary>
/// Who may sign in: a person who completed enrolment (password and authenticator), has not been deactivated, and
/// whose organisation is neither suspended nor retired.
/// </summary>
internal sealed class ActivePeople(PartnersDbContext db) : IUserConfirmation<Person>
{
    public async Task<bool> IsConfirmedAsync(UserManager<Person> manager, Person user) =>
        user.ActivatedAt is not null && user.DeactivatedAt is null
        && await db.Organisations.AnyAsync(o => o.Id == user.OrganisationId
            && (o.Status == OrganisationStatus.PendingVerification || o.Status == OrganisationStatus.Active));
}

/// <summary>At least 15 characters (SP 800-63B for a password that may have to stand alone), at most 128.</summary>
internal sealed class PasswordLength : IPasswordValidator<Person>
{
    public const int Minimum = 15;

    public const int Maximum = 128;

    public Task<IdentityResult> ValidateAsync(UserManager<Person> manager, Person user, string? password) =>
        Task.FromResult(password is { Length: > Maximum }
            ? IdentityResult.Failed(new IdentityError { Code = "PasswordTooLong", Description = $"At most {Maximum} characters." })
            : IdentityResult.Success);
}

/// <summary>
/// RFC 6238 codes from the person's authenticator (30 s steps, six digits, one step either side for clock drift),
/// each accepted once: a code seen over someone's shoulder, or replayed, is refused. Identity's own provider
/// accepts a code again within its window.
/// </summary>
internal sealed class SingleUseAuthenticator(TimeProvider time) : IUserTwoFactorTokenProvider<Person>
{
    public Task<string> GenerateAsync(string purpose, UserManager<Person> manager, Person user) =>
        throw new NotSupportedException("Authenticator codes come from the person's authenticator, never from the server.");

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<Person> manager, Person user)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(user);
        var key = await manager.GetAuthenticatorKeyAsync(user);
        var code = token?.Replace(" ", "", StringComparison.Ordinal) ?? "";
        if (key is null || code.Length != 6 || !code.All(char.IsAsciiDigit))
        {
            return false;
        }

        var totp = new Totp(Base32Encoding.ToBytes(key));
        if (!totp.VerifyTotp(time.GetUtcNow().UtcDateTime, code, out var step, new VerificationWindow(previous: 1, future: 1))
            || step <= (user.LastTotpStep ?? -1))
        {
            return false;
        }

        // Saved with the concurrency stamp: of two uses of one code at once, one fails here.
        user.LastTotpStep = step;
        return (await manager.UpdateAsync(user)).Succeeded;
    }

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<Person> manager, Person user)
    {
        ArgumentNullException.ThrowIfNull(manager);
        return await manager.GetAuthenticatorKeyAsync(user) is not null;
    }
}
