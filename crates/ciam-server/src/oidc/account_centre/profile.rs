//! `/t/{tenant}/account/profile`: the user's email address (shown, with whether it is verified)
//! and their profile details (the sign-up form's claims, [`ProfileClaim`]: name, given and family
//! name, phone number, birthdate, language), checked by the same rules as everywhere else
//! ([`UserProfile::validate`]) and saved through the users service (audited `user.updated`, by
//! the user).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ciam_core::signup::ProfileClaim;
use ciam_core::user::UserProfile;
use ciam_core::{FieldError, Rule};
use ciam_oauth::form::Params;

use super::views::{Field, Language, Nav, ProfilePage};
use super::{Holder, Need, form_of, holder, notice};
use crate::audit::Caller;
use crate::error::PageError;
use crate::http::Path;
use crate::i18n::{msg, refusal, tr, tr_with};
use crate::oidc::pages::html;
use crate::oidc::signup::claim_input;
use crate::oidc::web_flow::see_other;
use crate::services::{By, users};
use crate::state::AppState;

const PAGE: &str = "account/profile";

/// The languages offered, by BCP 47 tag, each named in itself.
const LANGUAGES: [(&str, &str); 16] = [
    ("en", "English"),
    ("en-GB", "English (United Kingdom)"),
    ("en-US", "English (United States)"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("fr", "Français"),
    ("it", "Italiano"),
    ("nl", "Nederlands"),
    ("pl", "Polski"),
    ("pt", "Português"),
    ("pt-BR", "Português (Brasil)"),
    ("sv", "Svenska"),
    ("ar", "العربية"),
    ("ja", "日本語"),
    ("ko", "한국어"),
    ("zh-Hans", "中文（简体）"),
];

/// The longest value the form shows back (a longer one is refused anyway).
const ECHO_CHARS: usize = 300;

/// What to tell the person about field `name` (labelled `label`) refused with `e`
/// ([`UserProfile::validate`]'s refusal), in the language of the request: what to type for the
/// fields with a format, the field named for the text rules.
fn error_words(name: &str, label: &str, e: &FieldError) -> String {
    let field = [("field", label)];
    match (name, e.rule) {
        ("phone_number", _) => tr(msg!("profile-error-phone")),
        ("birthdate", _) => tr(msg!("profile-error-birthdate")),
        ("locale", _) => tr(msg!("profile-error-locale")),
        (_, Some(Rule::BidiCharacters)) => tr_with(msg!("profile-error-bidi"), &field),
        (_, Some(Rule::ControlCharacters)) => tr_with(msg!("profile-error-control"), &field),
        (_, Some(Rule::TooLong { max })) => {
            tr_with(msg!("profile-error-too-long"), &[("field", label), ("max", &max.to_string())])
        }
        _ => tr_with(msg!("signup-field-invalid"), &[("field", label), ("reason", &refusal(e))]),
    }
}

/// The form as submitted: each field's value and, when it breaks the profile rules, why.
/// Returns the fields (in [`ProfileClaim::ALL`] order, the sign-up form's) and the profile they
/// make, if every one is valid.
fn read_form(form: &Params, stored: &UserProfile) -> (Vec<Field>, Option<UserProfile>) {
    let mut profile = stored.clone();
    let mut fields = Vec::with_capacity(ProfileClaim::ALL.len());
    let mut valid = true;
    for claim in ProfileClaim::ALL {
        let value = form.get(claim.as_str()).unwrap_or("").trim().to_owned();
        // Each field alone, so every wrong field is named at once, not only the first.
        let mut alone = UserProfile::default();
        claim.set(&mut alone, Some(&value));
        let label = tr(claim_input(claim).0);
        let error = alone.validate().err().map(|e| error_words(claim.as_str(), &label, &e));
        valid &= error.is_none();
        claim.set(&mut profile, Some(&value));
        fields.push(Field { value: value.chars().take(ECHO_CHARS).collect(), error });
    }
    let profile = if valid { profile.validate().ok() } else { None };
    (fields, profile)
}

fn languages(selected: &str) -> Vec<Language> {
    let mut list: Vec<Language> = LANGUAGES
        .iter()
        .map(|(tag, name)| Language { tag: (*tag).into(), name: (*name).into(), selected: *tag == selected })
        .collect();
    if !selected.is_empty() && !LANGUAGES.iter().any(|(tag, _)| *tag == selected) {
        list.insert(0, Language { tag: selected.into(), name: selected.into(), selected: true });
    }
    list
}

pub(super) async fn page(
    h: &Holder,
    fields: Vec<Field>,
    new_email: Field,
    notice: Option<&str>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let [name, given_name, family_name, phone_number, birthdate, locale]: [Field; 6] =
        fields.try_into().unwrap_or_else(|_| Default::default());
    let action = h.ctx.path(PAGE);
    let email_action = h.ctx.path("account/email");
    let email_confirm = super::confirm_link(h, PAGE).await?;
    Ok(html(
        status,
        &ProfilePage {
            brand: &h.ctx.brand,
            nav: Nav::new(&h.ctx, PAGE),
            action: &action,
            csrf: &h.session.csrf,
            email: h.user.email.as_str(),
            email_verified: h.user.email_verified,
            email_action: &email_action,
            new_email,
            email_confirm,
            languages: languages(&locale.value),
            name,
            given_name,
            family_name,
            phone_number,
            birthdate,
            locale,
            notice,
        },
    ))
}

/// The stored profile, as the form shows it.
pub(super) fn stored_fields(h: &Holder) -> Vec<Field> {
    ProfileClaim::ALL
        .iter()
        .map(|c| Field { value: c.get(&h.user.profile).unwrap_or_default().to_owned(), error: None })
        .collect()
}

/// `GET /t/{tenant}/account/profile`.
pub(in crate::oidc) async fn profile_get(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let h = match holder(st, &tenant, &headers, PAGE, Need::Session).await? {
        Ok(h) => h,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let said =
        notice(query.as_deref(), &[("saved", msg!("profile-saved")), ("email_sent", msg!("profile-email-sent"))]);
    page(&h, stored_fields(&h), Field::default(), said.as_deref(), StatusCode::OK).await
}

/// `POST /t/{tenant}/account/profile`: saves the details, or shows the form again naming each
/// field to fix.
pub(in crate::oidc) async fn profile_post(
    State(st): State<AppState>,
    Path(tenant): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let (h, form) = match form_of(st, &tenant, &headers, &body, PAGE, Need::Session).await? {
        Ok(x) => x,
        Err(elsewhere) => return Ok(elsewhere),
    };
    h.ctx
        .branded(async {
            let (fields, profile) = read_form(&form, &h.user.profile);
            let Some(profile) = profile else {
                return page(&h, fields, Field::default(), None, StatusCode::BAD_REQUEST).await;
            };
            if profile != h.user.profile {
                let now = h.ctx.st.clock.now();
                let after = ciam_core::user::User { profile, updated_at: now, ..h.user.clone() };
                let by = By::user(caller, h.user.id);
                users::update(&h.ctx.st, &by, &h.ctx.tenant, &h.user, &after, None).await?;
            }
            Ok(see_other(&format!("{}?done=saved", h.ctx.path(PAGE))))
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Params {
        let body: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        Params::parse(body.as_bytes()).unwrap()
    }

    #[test]
    fn every_wrong_field_is_named_and_the_rest_kept() {
        let stored = UserProfile { nickname: Some("Ada".into()), ..UserProfile::default() };
        let (fields, profile) = read_form(
            &form(&[
                ("name", " Ada Lovelace "),
                ("given_name", "Ada\u{202E}gpj.exe"),
                ("family_name", &"x".repeat(201)),
                ("phone_number", "555-0100"),
                ("birthdate", "1815/12/10"),
                ("locale", "en_US<script>"),
            ]),
            &stored,
        );
        assert!(profile.is_none());
        let errors: Vec<Option<&str>> = fields.iter().map(|f| f.error.as_deref()).collect();
        assert_eq!(errors[0], None);
        assert_eq!(
            errors[1],
            Some("Given name must not contain invisible characters that change the direction of text.")
        );
        assert_eq!(errors[2], Some("Family name must be at most 200 characters."));
        assert!(errors[3].unwrap().contains("+14155550100"));
        assert!(errors[4].unwrap().contains("1990-12-31"));
        assert_eq!(errors[5], Some("Choose a language from the list."));
        assert_eq!(fields[0].value, "Ada Lovelace");

        let (fields, profile) =
            read_form(&form(&[("name", "Ada\u{7}"), ("locale", "pt-BR"), ("birthdate", "1815-12-10")]), &stored);
        assert_eq!(
            fields[0].error.as_deref(),
            Some("Name must not contain control characters (such as line breaks or tabs).")
        );
        assert!(profile.is_none());

        let (_, profile) =
            read_form(&form(&[("name", "Ada Lovelace"), ("locale", "pt-BR"), ("birthdate", "1815-12-10")]), &stored);
        let profile = profile.unwrap();
        assert_eq!(profile.name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(profile.locale.as_deref(), Some("pt-BR"));
        assert_eq!(profile.given_name, None, "an empty field removes the claim");
        assert_eq!(profile.nickname.as_deref(), Some("Ada"), "claims the form does not edit are kept");
    }

    /// `f` as if answering a page request in `locale`.
    async fn in_language<T>(locale: crate::i18n::Locale, f: impl FnOnce() -> T) -> T {
        let preferences = crate::i18n::Preferences { picked: Some(locale), ..Default::default() };
        crate::i18n::scope(crate::i18n::PageRequest { preferences, here: None }, async { f() }).await
    }

    #[tokio::test]
    async fn field_errors_are_in_the_language_of_the_request() {
        use crate::i18n::Locale;
        let wrong = form(&[("name", &"x".repeat(201)), ("given_name", "Ada\u{7}"), ("phone_number", "555-0100")]);
        let errors = |fields: Vec<Field>| fields.into_iter().map(|f| f.error).collect::<Vec<_>>();
        let de = in_language(Locale::De, || errors(read_form(&wrong, &UserProfile::default()).0)).await;
        assert_eq!(de[0].as_deref(), Some("Name darf höchstens 200 Zeichen lang sein."));
        assert_eq!(
            de[1].as_deref(),
            Some("Vorname darf keine Steuerzeichen (etwa Zeilenumbrüche oder Tabulatoren) enthalten.")
        );
        assert!(de[3].as_deref().unwrap().starts_with("Geben Sie die Telefonnummer"), "{de:?}");
        let fr = in_language(Locale::Fr, || errors(read_form(&wrong, &UserProfile::default()).0)).await;
        assert_eq!(fr[0].as_deref(), Some("Nom doit comporter au plus 200 caractères."));
        // Arabic: the label and the number keep their own direction inside the sentence.
        let ar = in_language(Locale::Ar, || errors(read_form(&wrong, &UserProfile::default()).0)).await;
        assert_eq!(ar[0].as_deref(), Some("يجب ألا يتجاوز \u{2068}الاسم\u{2069} \u{2068}200\u{2069} حرفًا."));
        // Outside a request (and in English): the words the e2e tests know.
        assert_eq!(
            errors(read_form(&wrong, &UserProfile::default()).0)[0].as_deref(),
            Some("Name must be at most 200 characters.")
        );
    }

    #[test]
    fn a_stored_language_outside_the_list_is_still_offered() {
        let list = languages("fi");
        assert_eq!((list[0].tag.as_str(), list[0].selected), ("fi", true));
        assert!(languages("de").iter().any(|l| l.tag == "de" && l.selected));
        assert!(!languages("").iter().any(|l| l.selected));
    }
}
