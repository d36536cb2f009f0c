using Microsoft.AspNetCore.Identity;

namespace Shop.Web.Admin;

/// <summary>Creates admins: the one way an account gets the Admin role (there is no default account and no sign-up page).</summary>
public sealed class AdminAccounts(UserManager<IdentityUser> users, RoleManager<IdentityRole> roles)
{
    /// <summary>
    /// Creates the user with the Admin role, or gives the role to an existing user with this email (whose password is
    /// then left alone). Returns what went wrong in Identity's words, or nothing.
    /// </summary>
    public async Task<AdminCreation> CreateAsync(string email, string password)
    {
        if (!await roles.RoleExistsAsync(AdminExtensions.AdminRole))
        {
            var role = await roles.CreateAsync(new IdentityRole(AdminExtensions.AdminRole));
            if (!role.Succeeded)
            {
                return AdminCreation.Failed(role);
            }
        }

        var user = await users.FindByEmailAsync(email);
        var existed = user is not null;
        if (user is null)
        {
            user = new IdentityUser { UserName = email, Email = email, EmailConfirmed = true };
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                return AdminCreation.Failed(created);
            }
        }

        if (existed && await users.IsInRoleAsync(user, AdminExtensions.AdminRole))
        {
            return new AdminCreation(true, true, [], AlreadyAdmin: true);
        }

        if (!await users.IsInRoleAsync(user, AdminExtensions.AdminRole))
        {
            var added = await users.AddToRoleAsync(user, AdminExtensions.AdminRole);
            if (!added.Succeeded)
            {
                return AdminCreation.Failed(added);
            }
        }

        return new AdminCreation(true, existed, []);
    }

    /// <summary>
    /// Creates the admin, or gives an existing one this new password and lifts any lockout: offline mode's local admin,
    /// whose password changes at every start.
    /// </summary>
    public async Task<AdminCreation> CreateOrResetPasswordAsync(string email, string password)
    {
        var created = await CreateAsync(email, password);
        if (!created.Succeeded || !created.UserExisted)
        {
            return created;
        }

        var user = (await users.FindByEmailAsync(email))!;
        var removed = await users.RemovePasswordAsync(user);
        var added = removed.Succeeded ? await users.AddPasswordAsync(user, password) : removed;
        if (!added.Succeeded)
        {
            return AdminCreation.Failed(added);
        }

        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        return created;
    }
}

public sealed record AdminCreation(bool Succeeded, bool UserExisted, IReadOnlyList<string> Errors, bool AlreadyAdmin = false)
{
    public static AdminCreation Failed(IdentityResult result) =>
        new(false, false, result.Errors.Select(e => e.Description).ToList());
}
