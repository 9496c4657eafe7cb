namespace MinimalApi.Account;

/// <summary>Configuration section <c>Demo</c>: the one demo user the site knows.</summary>
internal sealed class DemoUserOptions
{
    /// <summary>The user name.</summary>
    public string User { get; set; } = string.Empty;

    /// <summary>The password, hashed by ASP.NET Core's <c>PasswordHasher&lt;T&gt;</c> (V3: PBKDF2, salted).</summary>
    public string PasswordHash { get; set; } = string.Empty;
}
