# The hosted pages, their error messages and the mails of ciam, in English: the source of every
# other language. Ids are grouped by page; `{ $name }` is an argument. Messages used with the
# `th` filters may hold markup (<strong>, <a>), which translations keep.

## Every page

language-switcher = Language
error-prefix = Error:
field-email = Email
field-password = Password
field-code = Code
action-verify = Verify
action-continue = Continue
action-allow = Allow
action-deny = Deny
action-sign-in = Sign in
action-confirm = Confirm
close-window = You can close this window.
check-email-title = Check your email

## Errors

error-title = Error
error-heading = Something went wrong
error-return = Return to the application you came from and try again.
error-unavailable = The service is temporarily unavailable. Try again shortly.
error-unavailable-short = The service is temporarily unavailable.
error-try-again-shortly = Try again shortly.
error-unknown-tenant = Unknown tenant.
error-unknown-client = Unknown client.
error-saml-request = This app's sign-in request cannot be accepted. Go back to the app and try again.
error-invalid-authorization-request = Invalid authorization request.
error-invalid-redirect-uri = Invalid redirect URI.
error-invalid-form = Invalid form.
error-flow-expired = This sign-in page has expired or was opened in another browser. Return to the application and start again.
error-form-expired = The form expired. Go back and try again.
error-form-expired-reload = The form expired. Reload the page.
error-page-expired-reload = The page expired. Reload it.
error-sign-in-page-expired = This sign-in page has expired.
error-choose-allow-or-deny = Choose Allow or Deny.
error-choose-offered-method = Choose one of the offered methods.
error-too-many-attempts = Too many attempts. Wait a few minutes and try again.
error-wrong-code = That code is not right. Try again.
error-invalid-email = Enter an email address like name@example.com.
error-mail-limit = Several codes were sent already. Use the latest one, or wait a few minutes.
error-sign-in-blocked = This sign-in was blocked for your protection. Try again later or from another network.
error-sign-up-blocked = This sign-up was blocked for your protection. Try again later or from another network.
error-stronger-sign-in = This application asks for a stronger sign-in than your account can give. Add a passkey in your account security settings and try again.
error-sign-in-refused = Sign-in refused.
error-logout-invalid = The logout request is not valid.
error-logout-needs-hint = post_logout_redirect_uri needs an id_token_hint.
error-logout-unregistered = post_logout_redirect_uri is not registered.

## Sign-in

login-title = Sign in
login-heading = Sign in to { $tenant }
login-continue-to = to continue to <strong>{ $client }</strong>
login-testing-notice = Development tenant: sign-ins by scripts and automated browsers are not asked to confirm who they are. Do not use it for real accounts.
login-forgot-password = Forgot password?
login-code-label = Or get a sign-in code by email
login-email-me-a-code = Email me a code
login-passkey = Sign in with a passkey
login-new-here = New here?
login-create-account = Create account
login-legacy-unavailable = Your password could not be checked right now. Try again in a few minutes.
login-incorrect = Incorrect email or password.
login-use-passkey = Sign in with a passkey.
login-purpose-device = connect a device
login-purpose-account = your account settings

## Sign-in codes by email

email-code-intro = If <strong>{ $email }</strong> has an account, we sent it a sign-in code. It expires in 10 minutes.
email-code-label = Sign-in code
email-code-wrong = That code is not right, or it expired. Check the latest email or ask for a new code.
email-code-disabled = Sign-in codes by email are not enabled.
email-code-invalid-address = Enter a valid email address.
email-link-other-browser = Open this link in the browser where you asked for it, or type the code from the email there. Links work only in that browser, for 10 minutes.
email-link-gone = This sign-in link was used already, expired, or a newer one was sent. Use the latest email.

## Second step

mfa-title = Confirm it's you
mfa-passkey-required = This application asks for a passkey.
mfa-one-more-step = One more step to sign in.
mfa-use-passkey = Use a passkey
mfa-totp-label = Code from your authenticator app
mfa-email-code-label = Code we sent to your email
mfa-use-recovery-code = Use a recovery code
mfa-recovery-code-label = Recovery code
mfa-no-second-step = There is no sign-in waiting for a second step.
passkey-request-expired = The passkey request expired or was used. Start again.
passkey-unavailable = Passkeys are not available on this server (it needs an https or localhost URL).
passkey-sign-in-disabled = Passkey sign-in is not enabled.
passkey-not-registered = That passkey is not registered here.
passkey-not-accepted = That passkey was not accepted.
passkey-nothing-waiting = No sign-in is waiting.

## Consent

consent-title = Allow access
consent-title-agent = Let an AI agent act for you
consent-heading = Allow { $client } access?
consent-asks = <strong>{ $client }</strong> asks to:
consent-agent-heading = Let { $client } act on your behalf?
consent-agent-notice = <strong>{ $client } is an AI agent.</strong> If you allow it, it can act for you on its own, without asking you again, within the limits below, until { $until } or until you revoke it.
consent-agent-operator = Operated by <strong>{ $owner }</strong>.
consent-agent-may = It may:
consent-agent-services = on these services:
consent-agent-ends = Access ends on <strong>{ $until }</strong>. Until then, you can revoke it yourself at any time from your account, at <a href="{ $manage }">{ $manage }</a>: the agent stops at once. The app that connected it can end it too.
consent-unverified = <strong>Unverified application.</strong> The name “{ $client }” was given by the application itself and has not been checked. It is identified by <strong>{ $host }</strong>. Allow only if you trust that site.
consent-former-user = a former user
consent-returns-to = It will return you to <strong>{ $host }</strong>.
consent-details = For this request only, exactly:
scope-openid = Know who you are
scope-profile = See your name and profile details
scope-email = See your email address
scope-phone = See your phone number
scope-address = See your postal address
scope-offline-access = Keep access while you are not using it
scope-other = Use the permission “{ $scope }”

## Devices

device-title = Connect a device
device-intro = Enter the code shown on your device or in your terminal.
device-compare-code = Only allow this if the device or terminal you are connecting shows the code <strong>{ $code }</strong>.
device-too-many = Too many wrong codes. Wait 15 minutes, then try again.
device-wrong-code = That code is not valid: check it and try again. Codes expire after 10 minutes.
device-connected-title = Device connected
device-connected = { $client } is now connected. Return to your device.
device-denied-title = Access denied
device-denied = { $client } was not given access.

## Sign-out

logout-title = Sign out
logout-heading = Sign out of { $tenant }?
logout-submit = Sign out
logout-done = You are signed out

## Sign-up

signup-title = Create account
signup-heading = Create your { $tenant } account
signup-optional = (optional)
signup-honeypot = Leave this field empty
signup-accept-both = I accept the <a href="{ $terms }" target="_blank" rel="noopener">terms of service</a> and the <a href="{ $privacy }" target="_blank" rel="noopener">privacy notice</a>
signup-accept-terms = I accept the <a href="{ $terms }" target="_blank" rel="noopener">terms of service</a>
signup-accept-privacy = I accept the <a href="{ $privacy }" target="_blank" rel="noopener">privacy notice</a>
signup-submit = Create account
signup-have-account = Already have an account?
signup-closed = Accounts are not created here. Ask the application's owner for access.
signup-invitation-gone = This invitation does not work any more: it was used, withdrawn, or it expired. Ask whoever invited you for a new one.
signup-too-many = Too many accounts were created from your network. Try again in an hour.
signup-not-ascii = Use an address made of plain Latin letters, digits and punctuation.
signup-domain-refused = Accounts with addresses at this domain cannot be created here.
signup-invited-taken = This address has an account already: sign in with it instead.
signup-captcha-failed = Confirm that you are a person: complete the check above the button.
signup-captcha-unavailable = The check that you are a person could not be completed. Try again in a moment.
signup-accept-required = Accept the terms to create an account.
signup-field-required = Enter your { $field }.
signup-field-invalid = { $field } { $reason }.
password-rules = At least { $min } characters.
password-rules-breached = At least { $min } characters. Passwords that appear in lists of breached passwords are refused.
password-too-short = The password must be at least { $min } characters.
password-too-long = The password must be at most { $max } bytes.
password-too-common = The password is too common; choose another.
password-refused = The password { $reason }.
claim-name = Name
claim-given-name = Given name
claim-family-name = Family name
claim-phone-number = Phone number
claim-birthdate = Birthdate
claim-locale = Language
claim-field = This field
# Lower-case forms, for "Enter your { $field }."
claim-name-lower = name
claim-given-name-lower = given name
claim-family-name-lower = family name
claim-phone-number-lower = phone number
claim-birthdate-lower = birthdate
claim-locale-lower = language
claim-invalid-birthdate = must be YYYY-MM-DD or YYYY (OIDC Core §5.1)
claim-invalid-phone-number = must be in E.164 form, e.g. +14155550100
claim-invalid-locale = must be a BCP 47 language tag such as en or pt-BR
field-required = must not be empty
field-too-long = must be at most { $max } characters
field-control-characters = must not contain control characters
field-bidi-characters = must not contain bidirectional formatting characters
field-between = must be { $min }-{ $max }
field-between-seconds = must be { $min }-{ $max } seconds
field-between-days = must be { $min }-{ $max } days
field-https-url = must be an absolute https URL
field-colour = must be a colour like #1a2b3c
field-sign-in-method = must offer at least one of password, passkey, email_code
field-domain-name = must be a lowercase domain name like example.com (an internationalised one in its xn-- form)
field-scope-token = a scope must be 1-128 printable ASCII characters without spaces, '"' or '\' (RFC 6749 §3.3)
field-redirect-not-https = http redirect URIs are allowed only on loopback; use https
field-redirect-fragment = a redirect URI must not contain a fragment (RFC 6749 §3.1.2)
field-redirect-wildcard = a redirect URI must not contain wildcards; it is matched exactly
field-redirect-not-absolute = a redirect URI must be an absolute URI

## Proving an address

check-mail-intro = We sent a link and a code to <strong>{ $email }</strong> to confirm that the address is yours. Open the link in this browser, or enter the code here. Both work once, for 24 hours. Opened the link on another device? Reload this page.
check-mail-no-mail = No mail after a few minutes? Check your spam folder, or
check-mail-resend = Resend
check-mail-wrong-code = That code is not right, or no longer works. Check the latest mail, or send a new one.
check-mail-resent = We sent a new mail. Earlier links and codes no longer work.
verify-title = Confirm your email address
verify-intro = Confirm that this address belongs to your { $tenant } account.
verify-submit = Confirm email address
verify-link-gone = This link does not work any more: it was used, it expired, or a newer mail replaced it. Sign in to get a new one.
verified-title = Email address confirmed
verified-message = Your email address is confirmed. Go back to the page where you created your account, or sign in to the application.

## Password reset

recover-title = Reset your password
recover-intro = Enter the address of your { $tenant } account. We will send it a link to choose a new password.
recover-submit = Send reset link
recover-back = Back to sign-in
recover-sent = If { $email } has an account, we sent it a link to choose a new password. It works once, for 30 minutes.
recover-too-many = Too many reset requests came from your network. Try again in an hour.
recover-mail-limit = Several mails were sent to this address already. Use the latest one, or wait a few minutes.
recover-link-gone = This reset link does not work any more: it was used, it expired (after 30 minutes), or a newer mail replaced it. Ask for a new one.
new-password-title = Choose a new password
new-password-for = for <strong>{ $email }</strong>
new-password-label = New password
new-password-second-factor = Your account has a second sign-in step: you will be asked for it before the new password takes effect.
new-password-submit = Set password
recover-passkey-title = Add a passkey
recover-passkey-intro = Your account signs in with passkeys. Make a new one on this device to get back in; your other passkeys keep working until you remove them.
recover-passkey-code-intro = Your account has an authenticator app or recovery codes: enter a code from one of them before you add the new passkey.
recover-passkey-code-label = Code from your authenticator app, or a recovery code
recover-passkey-code-first = Enter a code from your authenticator app, or a recovery code, first.
recover-passkey-unsupported = Adding a passkey needs a browser with passkeys and JavaScript. Open the link on the device that will keep your new passkey.

## Account security

security-heading = Sign-in and security
security-signed-in-as = Signed in as <strong>{ $email }</strong>, with: <span id="session-sign-in">{ $methods }</span>.
security-confirm-first = To add or remove a sign-in method, first <a href="{ $url }">confirm it's you</a>.
security-authenticators = Your authenticators
security-password-only = You sign in with your password only. Add an authenticator app or a passkey to protect your account.
security-added = added { $date }
security-last-used = last used { $date }
security-remove = Remove
security-add = Add
security-add-app = Add an authenticator app
security-passkey-name = Passkey name
security-add-passkey = Add a passkey
security-new-recovery-codes = Create new recovery codes
security-removed = The authenticator was removed.
security-gone = That authenticator is already gone.
security-setup-expired = The setup expired. Start again.
security-totp-wrong = That code is not right. Check the time on your phone and try again.
security-totp-ready = Your authenticator app is set up.
security-confirm-before-passkey = Confirm it's you first (the link on this page), then add the passkey.
security-passkeys-off = Passkeys are off.
security-passkey-taken = This passkey is already registered.
factor-totp = Authenticator app
factor-passkey = Passkey
factor-recovery-codes = Recovery codes ({ $left } left)
totp-title = Authenticator app
totp-heading = Add an authenticator app
totp-intro = Scan this code with your authenticator app, or enter the key by hand.
totp-qr-label = QR code of the key below
totp-key = Key:
totp-name = Name
totp-code-label = The 6-digit code your app shows
recovery-codes-title = Recovery codes
recovery-codes-heading = Your recovery codes
recovery-codes-notice = Keep these codes somewhere safe. Each one signs you in once if you lose your authenticator. They are shown only now; older codes no longer work.
recovery-codes-done = Done

## Mails

mail-sign-in-subject = Your { $tenant } sign-in code
mail-sign-in-text = Your sign-in code is { $code }
mail-sign-in-link = Or open this link in the browser where you asked for the code:
mail-sign-in-expiry = They expire in 10 minutes and work once.
mail-sign-in-not-you = If you did not try to sign in, ignore this message.
mail-sign-in-not-you-password = If you did not try to sign in, someone may know your password: change it.
mail-verify-subject = Confirm your email address for { $tenant }
mail-verify-text =
    Your confirmation code is { $code }

    Or open this link to confirm your address:
    { $link }

    The code and the link work once, for 24 hours. If you did not create an account at { $tenant }, ignore this message: nothing happens without it.
mail-reset-subject = Reset your { $tenant } password
mail-reset-text =
    Open this link to choose a new password for your { $tenant } account:
    { $link }

    It works once, for 30 minutes. If you did not ask for it, ignore this message: your password stays as it is.
mail-taken-subject = Someone tried to create a { $tenant } account with your address
mail-taken-text =
    Someone tried to create an account at { $tenant } with this email address. You already have one, so nothing was changed.

    If it was you, sign in to the application as usual; if you forgot your password, reset it here:
    { $link }

    If it was not you, you can ignore this message.
mail-password-changed-subject = Your { $tenant } password was changed
mail-password-changed-text =
    The password of your { $tenant } account was reset on { $when }, and every device signed in to it was signed out.

    If you did not do this, reset your password at once and check your account's sign-in methods:
    { $link }
mail-reset-passkey-subject = Get back into your { $tenant } account
mail-reset-passkey-text =
    Open this link to add a new passkey to your { $tenant } account:
    { $link }

    It works once, for 30 minutes. If you did not ask for it, ignore this message: nothing changes.
mail-passkey-recovered-subject = A passkey was added to your { $tenant } account
mail-passkey-recovered-text =
    A new passkey was added to your { $tenant } account with a reset link on { $when }, and every device signed in to it was signed out.

    If you did not do this, get back into your account at once and remove the passkey you do not know:
    { $link }
mail-factor-subject = Your { $tenant } account: { $change }
mail-factor-text =
    { $change } on your { $tenant } account ({ $when } UTC{ $from }).

    If this was you, there is nothing to do. If it was not, someone knows your password: change it now, remove what you do not recognise in your account security settings, and contact { $tenant }.
mail-factor-from = , from { $ip }
change-totp-added = An authenticator app was added
change-recovery-codes = New recovery codes were created
change-factor-removed = A sign-in method was removed
change-passkey-added = A passkey was added

mail-email-change-subject = Confirm your new email address for { $tenant }
mail-email-change-text =
    Open this link to use this address for your { $tenant } account:
    { $link }

    It works once, for 24 hours. If you did not ask for it, ignore this message: nothing changes without it.
mail-email-changed-subject = The email address of your { $tenant } account was changed
mail-email-changed-text =
    Your { $tenant } account now uses another email address ({ $new }), and this one no longer signs in.

    If you did not do this, someone may be using your account: reset your password with your new address, or contact { $tenant }'s support.
mail-invitation-subject = You are invited to { $tenant }
mail-invitation-text =
    You are invited to create your { $tenant } account. Open this link to choose your password:
    { $link }

    It works once, until { $until }. If you do not want an account, ignore this message.

## Account centre

account-nav-label = Account
account-sign-out = Sign out
account-not-set = Not set
nav-overview = Overview
nav-overview-about = your account at a glance.
nav-profile = Profile
nav-profile-about = your name and details.
nav-password = Password
nav-password-about = change or set your password.
nav-security-about = passkeys, authenticator app and recovery codes.
nav-sessions = Sessions
nav-sessions-about = where you are signed in, and signing out there.
nav-apps = Connected apps
nav-apps-about = apps you allowed to use your account.
nav-agents = Agents
nav-agents-about = AI agents you allowed to act for you.
nav-privacy = Privacy
nav-privacy-about = your data.
overview-title = Your account
overview-name-missing = Not set. <a href="{ $url }">Add your name</a>
overview-verified = { $email } (verified)
overview-not-verified = { $email } (not verified)
overview-what-you-can-do = What you can do here
profile-verified = This address is verified.
profile-not-verified = This address is not verified yet.
profile-email-confirm-first = To change your address, <a href="{ $url }">confirm it's you</a> first.
profile-new-email = New email address
profile-new-email-hint = We send a link to the new address; the change happens when you open it.
profile-change-email = Change email
profile-details = Your details
profile-details-intro = Leave a field empty to remove it. Apps you allow to see your profile receive these details.
profile-phone-hint = With the country code, for example +14155550100.
profile-birthdate-hint = As year-month-day, for example 1990-12-31, or just the year.
profile-save = Save
profile-saved = Your profile was saved.
profile-email-sent = We sent a link to the new address. Your address changes when you open it.
profile-error-phone = Enter the phone number with + and the country code, for example +14155550100.
profile-error-birthdate = Enter the birthdate as year-month-day, for example 1990-12-31, or just the year.
profile-error-locale = Choose a language from the list.
profile-error-bidi = { $field } must not contain invisible characters that change the direction of text.
profile-error-control = { $field } must not contain control characters (such as line breaks or tabs).
profile-error-too-long = { $field } must be at most { $max } characters.
email-change-same = That is your address already.
email-change-domain-refused = Addresses at this domain cannot be used here.
email-change-link-gone = This link does not work any more: it was used, it expired, or a newer request replaced it. Ask again from your profile.
email-change-taken = This address belongs to another account now.
email-change-changed-title = Email address changed
email-change-changed = Your account now uses { $email }. Sign in with it from now on.
email-change-back-to-profile = Back to your profile
password-set-title = Set a password
password-none-yet = You sign in without a password today. You can add one as another way to sign in.
password-confirm-change = To change your password, first <a href="{ $url }">confirm it's you</a>.
password-confirm-set = To set your password, first <a href="{ $url }">confirm it's you</a>.
password-rules-heading = Rules for a new password
password-rule-max = At most { $max } bytes (about as many letters).
password-rule-not-common = Not one of the passwords people use most often: those are guessed first.
password-rule-phrase = A phrase of a few unrelated words is easy to remember and hard to guess.
password-signs-out = Changing your password signs you out everywhere else, and apps will need you to sign in again.
password-current = Current password
password-change = Change password
password-changed = Your password was changed. You were signed out everywhere else.
password-was-set = Your password was set. You can now sign in with it.
password-wrong-current = That is not your current password.
password-enter-new = Enter a new password.
password-new-too-short = The new password must be at least { $min } characters.
password-new-too-long = The new password must be at most { $max } bytes.
password-new-too-common = The new password is too common; choose another.
password-new-refused = The new password { $reason }.
sessions-intro = Where you are signed in to { $tenant }. Signing out somewhere takes effect on its next page.
sessions-confirm-first = To sign out other sessions, first <a href="{ $url }">confirm it's you</a>.
sessions-this-device-browser = { $browser } (this device)
sessions-this-device = This device
sessions-signed-in = Signed in
sessions-last-active = Last active
sessions-signed-in-with = Signed in with
sessions-sign-out-others = Sign out everywhere else
sessions-none-elsewhere = You are not signed in anywhere else.
sessions-ended = That session was signed out.
sessions-ended-others = You were signed out everywhere else.
sessions-use-sign-out = To sign out of this device, use Sign out.
sessions-gone = That session has already ended.
browser-on = { $browser } on { $system }
browser-any-on = A browser on { $system }
browser-any = A browser
time-unknown = unknown
sign-in-password-otp = Password and a one-time code (authenticator app or recovery code)
sign-in-password-email = Password and a code by email
sign-in-email = A code by email
sign-in-password-second = Password and a second factor
sign-in-other = Another sign-in method
apps-intro = Apps you allowed to use your { $tenant } account. Removing access signs the app out: it must ask you again.
apps-confirm-first = To remove an app's access, first <a href="{ $url }">confirm it's you</a>.
apps-none = No apps have access to your account.
apps-allowed = Allowed on { $date }. It may:
apps-remove = Remove access
apps-removed = The app's access was removed. It must ask you again.
apps-gone = That app has no access to remove.
apps-launch-heading = Sign in to an app
apps-open = Open { $app }
agents-intro = AI agents you allowed to act for you. Revoking an agent stops it at once, with every token it holds.
agents-confirm-first = To revoke an agent, first <a href="{ $url }">confirm it's you</a>.
agents-none = You have not allowed any agent to act for you.
agents-operated = Operated by <strong>{ $owner }</strong>. Allowed on { $date }.
agents-unknown-owner = unknown
agents-revoked-on = Revoked on { $date }.
agents-active-until = Active until { $date }.
agents-ended-on = Ended on { $date }.
agents-revoke = Revoke
agents-revoked = The agent was revoked. It can no longer act for you.
agents-gone = That agent has no access to revoke.
privacy-download = Download my data
privacy-download-text = Get a copy of everything { $tenant } keeps about you, in one file (JSON). It is prepared in the background and kept for an hour.
privacy-delete = Delete my account
privacy-delete-text = Deleting your account ends your sessions, stops the apps and agents you allowed, and erases everything { $tenant } keeps about you. It cannot be undone.

## Sign-in through other providers (upstream OpenID Connect)
login-continue-with = Continue with { $provider }
login-link-notice = An account with { $email } already exists. Sign in to it once to link your { $provider } account; after that, { $provider } signs you in.
login-upstream-domain = The email address of your { $provider } account cannot be used here.
login-upstream-no-account = No account here is linked to your { $provider } account. Sign in another way.
login-upstream-no-email = { $provider } did not share an email address, and an account here needs one.
login-upstream-disabled = This account cannot sign in.
error-upstream-failed = Signing in with that provider did not work. Try again, or sign in another way.
error-upstream-unknown = That sign-in option is not available.
sign-in-upstream = Another provider's sign-in
sign-in-upstream-mfa = Another provider's sign-in with more than one factor
security-linked-accounts = Linked accounts
security-linked = linked { $date }
security-unlink = Unlink
security-unlink-named = Unlink { $provider }
security-unlinked = The account was unlinked.
security-unlink-last = This is your only way to sign in, so it stays linked. Add a password or a passkey first.
security-link-gone = That account is no longer linked.
purposes-title = Before you continue
purposes-intro = { $tenant } asks for your agreement to the following.
purposes-accept = I accept { $title }
purposes-read = Read { $title }
purposes-required = Accept { $title } to continue.
privacy-consents = Your consents
privacy-consents-text = What you agreed to, and when. You can withdraw a consent at any time: your apps stop receiving what it covers from their next token.
privacy-granted = Granted on { $date } (version { $version })
privacy-declined = Not granted
privacy-withdraw = Withdraw { $title }
privacy-grant = Grant { $title }
privacy-needed = Needed to use your account; it ends when your account is deleted.
purpose-terms = Terms of service
purpose-privacy = Privacy notice
privacy-data = Your data
privacy-preparing = Your data is being prepared. This page updates itself; you can also reload it.
privacy-ready = Your data is ready.
privacy-save = Save my data
privacy-export-gone = This download link was used or has expired. Ask for your data again on the Privacy page.
privacy-delete-heading = Your account
privacy-delete-confirm = I understand that my account and my data are erased for good
privacy-delete-confirm-required = Tick the box to confirm that your account should be deleted.
privacy-deleted-title = Account deleted
privacy-deleted = Your account at { $tenant } and your data were erased.
privacy-confirm-first = To download your data or delete your account, first <a href="{ $url }">confirm it's you</a>.
privacy-deletion-scheduled = Your account at { $tenant } is closed and will be erased with your data on { $date }. Changed your mind? The mail we sent you has a link that keeps it until then.
purpose-documents-version = Version { $version }

## Approval requests (backchannel authentication, account/approvals)
nav-approvals = Approval requests
nav-approvals-about = what apps and agents ask you to approve.
approvals-intro = Apps and AI agents you use can ask you to approve something before they do it. Approve only what you expect, and check that the reference matches the one the app or agent shows you.
approvals-none = No request is waiting for your answer.
approvals-live = This list updates by itself.
approvals-from = { $client } asks for your approval
approvals-agent = An AI agent operated by <strong>{ $owner }</strong>.
approvals-reference = Reference: <strong>{ $message }</strong>
approvals-details = It asks to:
approvals-scopes = It would get:
approvals-expires = Answer before { $date }.
approvals-approve = Approve
approvals-deny = Deny
approvals-confirm-first = To approve this request, first <a href="{ $url }">confirm it's you</a>.
approvals-needs-passkey = Approving this request needs a passkey. <a href="{ $url }">Add a passkey</a> first.
approvals-approved = You approved the request.
approvals-denied = You denied the request.
approvals-gone = That request was answered already, expired, or was withdrawn.
mail-approval-reference = Reference: { $message }
mail-approval-subject = { $client } asks for your approval
mail-approval-text =
    { $client } asks you to approve a request for your { $tenant } account:

    { $what }

    Review it and approve or deny it before { $until }:
    { $link }

    If you did not expect this request, deny it.

## Keeping an account whose deletion waits (account/keep)
keep-title = Keep your account
keep-intro = You asked to delete your { $tenant } account, and it is closed until it is erased. Keep it, and it opens again as it was.
keep-submit = Keep my account
keep-link-gone = This link does not work any more: it was used, the account was erased or kept already, or a newer mail replaced it.
kept-title = Your account is kept
kept-message = Your { $tenant } account is open again. Sign in as before.
kept-sign-in = Sign in
mail-keep-subject = Your { $tenant } account will be erased on { $date }
mail-keep-text =
    You asked to delete your { $tenant } account. It is closed now and will be erased on { $date }.

    Changed your mind? Open this link before then to keep it:
    { $link }

    If you did not ask for this, keep the account with the link and change your password.

## The administrators' console
console-nav = Console
console-tenants = Tenants
console-signed-in-as = Signed in as { $who }
console-sign-out = Sign out
console-tenants-intro = The tenants you administer.
console-no-tenants = You have no role in any tenant yet.
console-users = Users
console-users-of = Users of { $tenant }
console-search-label = Email address, user id or the start of a name
console-search = Search
console-col-email = Email
console-col-name = Name
console-col-status = Status
console-status-active = Active
console-status-disabled = Disabled
console-no-users = No users found.
console-next-page = Next page
console-back-to-users = Back to the users
console-user-id = User id
console-email-verified = Email verified
console-yes = Yes
console-no = No
console-factors = Second factors and passkeys
console-no-factors = None.
console-factors-hidden = Your role does not show this user's factors.
console-reset-factors = Reset factors
console-reset-question = Remove every second factor and passkey of { $email }? They then sign in with what remains (a password, or a code by email) and set up new ones.
console-needs-recent-sign-in = This needs a sign-in from the last 15 minutes.
console-sign-in-again = Sign in again
console-cancel = Cancel
console-factors-were-reset = Every second factor and passkey of this user was removed.
console-not-found = Not found.
console-forbidden = Your role does not allow this.
console-form-expired = This form has expired. Reload the page and try again.
console-sign-in-failed = The sign-in could not be completed. Open the console again to start over.
console-actions = Actions
console-sign-out-everywhere = Sign out everywhere
console-disable = Disable account
console-enable = Enable account
console-sign-out-question = End every session of { $email }, and the sign-ins their apps keep? They must sign in again everywhere.
console-disable-question = Disable the account of { $email }? They cannot sign in until it is enabled again, and are signed out everywhere now.
console-enable-question = Enable the account of { $email } again? They can then sign in as before.
console-signed-out-everywhere = This user was signed out everywhere.
console-was-disabled = This account was disabled.
console-was-enabled = This account was enabled.
console-tenant-nav = Tenant
console-overview = Overview
console-clients = Applications and agents
console-keys = Signing keys
console-audit = Audit trail
console-administrators = Administrators
console-taken = This is taken already.
console-secret-of = New secret of { $name }
console-secret-once = Copy this secret now and store it safely: it is shown only this once and cannot be shown again.
console-secret = Client secret
console-secret-stored = I have stored the secret
console-type-to-confirm = Type { $word } to confirm
console-new-tenant = Create a tenant
console-create-tenant = Create tenant
console-tenant-id = Tenant id
console-tenant-id-hint = 1-63 lowercase letters, digits and hyphens; it appears in the tenant's URLs and cannot be changed later.
console-tenant-name = Display name
console-tenant-created = The tenant was created with its signing keys.
console-region = Data region
console-issuer = Issuer
console-created = Created
console-delete-tenant = Delete tenant
console-delete-tenant-question = Delete { $tenant } with all its users, applications, agents, keys and audit trail? This cannot be undone.
console-keys-of = Signing keys of { $tenant }
console-keys-intro = Tokens are signed with the active key. The next key is already published, so rotating does not break clients that cache the keys; a retired key stays published until the tokens it signed have expired.
console-col-kid = Key id
console-col-alg = Algorithm
console-col-state = State
console-col-activated = Signing since
console-col-retired = Retired
console-key-active = Active
console-key-next = Next
console-key-retired = Retired
console-rotate-keys = Rotate keys now
console-rotate-keys-question = Rotate the signing keys of { $tenant } now? The next keys start signing and the active ones retire.
console-keys-rotated = The keys were rotated.
console-clients-of = Applications and agents of { $tenant }
console-no-clients = No applications or agents yet.
console-new-client = Register an application
console-new-client-intro = An application that sends its users here to sign in. Agents have a form of their own, with their operator, keys and ceilings.
console-create-client = Register application
console-client-name = Name
console-client-type = Type
console-client-id = Client id
console-client-id-hint = Optional: 3-128 of A-Z, a-z, 0-9, -, ., _ and ~. Left empty, one is generated.
console-redirect-uris = Redirect URIs
console-redirect-uris-hint = One per line, matched exactly: https, http on a loopback address, or a private-use scheme for a native app.
console-scopes = Scopes
console-scopes-hint = The most this application may ask for, separated by spaces.
console-jwks = Public keys (JWK Set)
console-first-party = First-party application: its users are not asked for consent
console-first-party-hint = Only for the tenant's own applications. Users are still asked when it asks with prompt=consent or for authorization details.
console-new-agent = Register an agent
console-new-agent-intro = An agent authenticates with its own keys and acts for a user only within a delegation that user approved. Its ceilings bound every token it gets.
console-create-agent = Register agent
console-save-client = Save changes
console-edit-client = Edit application
console-edit-agent = Edit agent and ceilings
console-client-saved = The changes were saved.
console-agent-description-hint = Shown to users when they are asked to approve a delegation. At most 500 characters.
console-agent-operator-kind = Operated by
console-operator-client = An application of this tenant
console-operator-user = A user of this tenant
console-agent-operator-id = Operator's id
console-agent-operator-hint = The client id of the application, or the user id, that operates the agent.
console-agent-jwks-hint = The agent's public keys as a JWK Set (JSON). It signs its client assertions with them (private_key_jwt): an agent has keys, not a password.
console-agent-needs-keys = An agent authenticates with its keys: give its JWK Set.
console-agent-scopes-hint = The most scope it may ever hold, separated by spaces.
console-agent-redirect-uris-hint = Optional: where the approval flow returns when the agent asks a user for a delegation through the code flow. One per line, matched exactly.
console-audiences-hint = Optional: the APIs (resource URIs) it may get tokens for, one per line.
console-max-token-lifetime-hint = In seconds, 30-3600.
console-max-chain-depth-hint = The most agents in a chain of delegation that ends with this one, 1-5.
console-delegation-lifetime-hint = In seconds, from 60 to 31536000 (365 days); 2592000 is 30 days.
console-dpop = Proof of possession (DPoP)
console-dpop-required = Required: every token is bound to the agent's key
console-dpop-optional = Not required
console-whole-number = Enter a whole number.
console-rotation-schedule = Rotation schedule
console-rotation-by-hand = The keys rotate only when an administrator rotates them.
console-rotation-scheduled = The keys rotate every { $days } days. Next rotation: { $next }.
console-rotate-every = Rotate every (days)
console-rotate-every-hint = 7-730 days. Each rotation publishes the next key a whole period before it signs. Leave empty to rotate only by hand.
console-save-schedule = Save schedule
console-schedule-saved = The rotation schedule was saved.
console-jwks-hint = Optional, for a confidential application that signs its requests (private_key_jwt) instead of using a secret: its JWK Set as JSON.
console-col-kind = Kind
console-kind-agent = AI agent
console-kind-saml = SAML application
console-kind-confidential = Confidential application
console-kind-public = Public application
console-back-to-clients = Back to the applications and agents
console-auth-method = Authentication
console-grant-types = Grant types
console-key-id = Key { $kid }
console-agent = Agent
console-agent-description = What it does
console-agent-operator = Operator
console-operated-by-user = the user { $id }
console-operated-by-client = the application { $id }
console-status-suspended = Suspended
console-ceilings = Ceilings
console-allowed-audiences = Services it may get tokens for
console-max-token-lifetime = Longest token lifetime
console-max-chain-depth = Longest chain of agents
console-delegation-lifetime = Delegation lasts
console-seconds = { $n } seconds
console-rotate-secret = Issue a new secret
console-rotate-secret-question = Issue a new secret for { $name }? The current secret stops working at once.
console-secret-rotated = A new secret was issued.
console-suspend-agent = Suspend agent
console-suspend-question = Suspend { $name }? It cannot get tokens until it is resumed; its delegations stay.
console-agent-suspended = The agent was suspended.
console-resume-agent = Resume agent
console-resume-question = Resume { $name }? It can get tokens again within its delegations.
console-agent-resumed = The agent was resumed.
console-delete-client = Delete
console-delete-client-question = Delete { $name }? It can no longer sign anyone in or get tokens; an agent's delegations end with it.
console-client-deleted = It was deleted.
console-audit-of = Audit trail of { $tenant }
console-verify-chain = Verify the chain
console-chain-intact = The chain is intact: { $count } events checked.
console-chain-broken = The chain is broken: { $why }
console-audit-filters = Filter the events
console-agent-or-client = Agent or application
console-event-type = Event type
console-event-type-hint = For example token.exchanged or user.signed_in.
console-since = From (day)
console-until = To (day)
console-not-a-day = Enter a day as YYYY-MM-DD.
console-filter = Filter
console-no-events = No events match.
console-events = Events
console-col-time = Time
console-col-reason = Reason
console-denied = denied
console-administrators-of = Administrators of { $tenant }
console-add-administrator = Add an administrator
console-add-administrator-intro = Give a role in this tenant to a person by their email address. An address without an administrator account gets one, and a mail with a link to set up how they sign in.
console-role = Role
console-no-administrators = No one holds a role in this tenant.
console-col-who = Who
console-col-since = Since
console-remove-role = Take back
console-remove-role-of = Take back the role of { $who }
console-administrator-added = The role was given.
console-administrator-invited = The role was given, and a mail was sent to the new administrator with a link to set up how they sign in.
console-administrator-removed = The role was taken back.
console-service-account = service account { $id }
console-new-user = Create a user
console-create-user = Create user
console-edit-user = Edit profile
console-save = Save
console-initial-password = Password
console-initial-password-hint = Optional. Left empty, the user is mailed a link to set up how they sign in.
console-user-created = The user was created.
console-user-saved = The changes were saved.
console-send-reset = Send password reset mail
console-send-verification = Send verification mail
console-mail-sent = The mail was sent.
console-sessions = Sessions
console-no-sessions = No sessions.
console-col-how = Signed in with
console-col-browser = Browser
console-end-session = End
console-end-session-from = End the session from { $since }
console-session-ended = The session was ended.
console-consents = Consents
console-no-consents = No consents.
console-withdraw-consent = Withdraw
console-withdraw-consent-to = Withdraw the consent to { $client }
console-consent-withdrawn = The consent was withdrawn; the application asks again next time.
console-delegations = Delegations to agents
console-no-delegations = No delegations.
console-col-until = Until
console-status-revoked = Revoked
console-status-expired = Expired
console-revoke-delegation = Revoke
console-revoke-delegation-to = Revoke the delegation to { $agent }
console-delegation-revoked = The delegation was revoked; the agent's tokens from it stop working at once.
console-identities = Linked identities
console-no-identities = No linked identities.
console-settings = Settings
console-settings-read-only = Your role shows these settings without changing them.
console-locale-default = The default (English)
console-signup-mode = Sign-up
console-signup-closed = Closed: accounts are made by administrators
console-signup-open = Open: anyone may sign up
console-signup-invite = By invitation only
console-require-verification = Sign-ups must verify their address
console-require-verification-hint = An account whose address is not verified cannot finish a sign-in to an application; it is asked to check its mail.
console-allowed-domains = Sign-up only from these domains
console-allowed-domains-hint = Optional: one domain per line; a subdomain matches. Empty: any domain.
console-blocked-domains = Sign-up refused from these domains
console-domains-hint = Optional: one domain per line; a subdomain matches.
console-terms-url = Terms of service (URL)
console-privacy-url = Privacy notice (URL)
console-documents-hint = Optional, https. The sign-up form then asks to accept them, and the acceptance is recorded.
console-login-password = Users may sign in with a password
console-login-passkey = Users may sign in with a passkey
console-login-email-code = Users may sign in with a code sent by email
console-refuse-common = Refuse common and breached passwords
console-session-lifetime = Session lifetime
console-session-lifetime-hint = In seconds, from 300 (5 minutes) to 34560000 (400 days), however the session is used.
console-session-idle = Session idle timeout
console-session-idle-hint = In seconds, from 60 (1 minute) to 2592000 (30 days) without use.
console-mfa = Second factor
console-mfa-never = Only when an application asks for it
console-mfa-risk = When the risk policy or an application asks for it
console-mfa-always = At every sign-in
console-password-min-length = Shortest password
console-primary-color = Primary colour
console-primary-color-hint = As #rrggbb. White text on it must reach a contrast ratio of 4.5:1; a lighter colour is refused.
console-logo-uri = Logo (https URL)
console-default-locale = Default language
console-risk-policy = Risk policy (JSON)
console-risk-policy-hint = Rules, points and thresholds as in docs/security.md. Empty: the default policy.
console-branding-preview = Preview of the sign-in pages
console-branding-preview-label = How the sign-in pages of { $tenant } look
console-sample-button = Continue
console-sample-link = A link
console-simulator = What would happen
console-simulator-intro = Try the risk policy on an imagined password sign-in: from an address, with a browser, by a user (their previous sign-ins count). Nothing is recorded; failed attempts count as none.
console-sim-ip = IP address
console-sim-ua = Browser (User-Agent)
console-sim-user = User (email address or id)
console-sim-device = Device
console-sim-device-new = A browser they have not used before
console-sim-device-known = A browser they signed in with before
console-sim-policy = Policy to try
console-sim-policy-hint = Optional: a risk policy as JSON to try instead of the saved one.
console-sim-run = See what would happen
console-sim-answer = The answer
console-sim-outcome = Outcome
console-sim-allow = Allowed
console-sim-deny = Denied
console-sim-step-up = A second factor is asked for (level { $acr })
console-sim-score = Risk score
console-sim-place = Located in
console-sim-no-rules = No rule fired.
console-sim-rules = Rules that fired
console-sim-rule = Rule
console-sim-points = Points
console-sim-detail = What was seen
console-not-an-address = Enter an IPv4 or IPv6 address.
console-no-such-user = No user of this tenant has this address or id.
console-back-to-overview = Back to the overview
console-activity = Activity
console-last-day = The last 24 hours
console-last-week = The last 7 days
console-stat-sign-ins = Sign-ins
console-stat-step-ups = Second factor asked by the risk policy
console-stat-risk-denials = Sign-ins denied by the risk policy
console-stat-sign-ups = Sign-ups
console-stat-issued = Tokens issued
console-stat-refreshed = Tokens refreshed
console-stat-exchanged = Tokens exchanged (agents)
console-stat-refused = Token requests refused
console-events-by-type = { $period }: events by type
console-tokens-by-grant = { $period }: token requests by grant
console-grant = Grant
console-grant-answered = Tokens issued
console-grant-refused = Refused
console-grant-code = Authorization code
console-grant-refresh = Refresh token
console-grant-client-credentials = Client credentials
console-grant-exchange = Token exchange
console-grant-device = Device authorization
console-grant-jwt-bearer = JWT bearer (identity chaining)
console-grant-ciba = Backchannel authentication (CIBA)
console-grant-other = Other, or not recorded
console-allowed = Allowed
console-stepped-up = Stepped up
console-denied-col = Denied
console-resources = APIs
console-resources-of = APIs of { $tenant }
console-new-resource = Register an API
console-new-resource-intro = An API (a resource server) that access tokens are issued for. Clients ask for it by its identifier (RFC 8707), and its tokens carry the identifier as their audience.
console-create-resource = Register API
console-resource-id = Id
console-resource-id-hint = 1-63 of a-z, 0-9 and -, used in management URLs. Fixed once registered.
console-identifier-hint = An absolute URI, such as https://api.example.com/orders: what clients ask for, and the audience of its tokens.
console-resource-scopes-hint = The scopes it defines, separated by spaces, such as orders:read orders:write. Its tokens carry no other.
console-resource-lifetime-hint = In seconds, 60-86400.
console-introspection-none = No: it checks tokens itself
console-introspection-secret = Yes, with a secret (shown once)
console-resource-added = The API was registered.
console-resource-deleted = The API was deleted.
console-delete-resource = Delete API
console-delete-resource-question = Delete the API { $name }? Clients can no longer get tokens for it.
console-resources-intro = The APIs access tokens are issued for (RFC 8707 resource indicators). Introspection with keys, and changes to a registered API, go through the management API, at { $path }.
console-no-resources = No APIs are registered.
console-identifier = Identifier
console-token-lifetime = Token lifetime
console-introspects = Introspects
console-providers = Identity providers
console-providers-of = Identity providers of { $tenant }
console-providers-intro = Where users of this tenant may sign in from: social and enterprise providers, OpenID Connect or SAML. OpenID Connect providers are added here; SAML providers, and every other setting, go through the management API, at { $path }.
console-redirect-uri-is = The redirect URI to register at every provider:
console-new-provider = Add an identity provider
console-new-provider-intro = Users of this tenant can then sign in with their account at this provider. First register the redirect URI shown on the list of providers at the provider.
console-create-provider = Add identity provider
console-provider-kind = Provider
console-provider-name-hint = The text of its button on the sign-in page.
console-provider-id = Id
console-provider-id-hint = 1-32 of a-z, 0-9 and -. Fixed once added.
console-provider-issuer-hint = For OpenID Connect: the provider's issuer, whose settings are found by discovery. Google, Microsoft and GitHub have their own: leave it empty.
console-provider-client-id-hint = The client id this tenant has at the provider.
console-provider-secret = Client secret
console-provider-secret-hint = The client secret this tenant has at the provider. It is stored encrypted and never shown again.
console-home-realm-hint = Optional: addresses at these domains are sent straight to this provider, one domain per line.
console-provider-create-users = At a first sign-in
console-provider-create-yes = Create an account for a new user
console-provider-create-no = Only users who already have an account
console-provider-added = The identity provider was added.
console-provider-deleted = The identity provider was removed.
console-delete-provider = Remove identity provider
console-delete-provider-question = Remove { $name }? Its button leaves the sign-in page, and accounts linked through it are unlinked: their users sign in another way.
console-delete-of = Delete { $name }
console-no-providers = No identity providers are configured.
console-home-realm = Sent here by address
