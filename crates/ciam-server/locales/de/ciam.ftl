# Die gehosteten Seiten, ihre Fehlermeldungen und die Mails von ciam, auf Deutsch.
# Anrede: „Sie“. Markup in Meldungen (<strong>, <a>) bleibt erhalten.

## Every page

language-switcher = Sprache
error-prefix = Fehler:
field-email = E-Mail-Adresse
field-password = Passwort
field-code = Code
action-verify = Bestätigen
action-continue = Weiter
action-allow = Erlauben
action-deny = Ablehnen
action-sign-in = Anmelden
action-confirm = Bestätigen
close-window = Sie können dieses Fenster jetzt schließen.
check-email-title = Prüfen Sie Ihr Postfach

## Errors

error-title = Fehler
error-heading = Etwas ist schiefgelaufen
error-return = Kehren Sie zu der Anwendung zurück, von der Sie kamen, und versuchen Sie es erneut.
error-unavailable = Der Dienst ist vorübergehend nicht verfügbar. Versuchen Sie es gleich noch einmal.
error-unavailable-short = Der Dienst ist vorübergehend nicht verfügbar.
error-try-again-shortly = Versuchen Sie es gleich noch einmal.
error-unknown-tenant = Unbekannter Mandant.
error-unknown-client = Unbekannte Anwendung.
error-saml-request = Die Anmeldeanfrage dieser App kann nicht angenommen werden. Gehen Sie zurück zur App und versuchen Sie es erneut.
error-invalid-authorization-request = Ungültige Autorisierungsanfrage.
error-invalid-redirect-uri = Ungültige Weiterleitungsadresse.
error-invalid-form = Ungültiges Formular.
error-flow-expired = Diese Anmeldeseite ist abgelaufen oder wurde in einem anderen Browser geöffnet. Kehren Sie zur Anwendung zurück und beginnen Sie von vorn.
error-form-expired = Das Formular ist abgelaufen. Gehen Sie zurück und versuchen Sie es erneut.
error-form-expired-reload = Das Formular ist abgelaufen. Laden Sie die Seite neu.
error-page-expired-reload = Die Seite ist abgelaufen. Laden Sie sie neu.
error-sign-in-page-expired = Diese Anmeldeseite ist abgelaufen.
error-choose-allow-or-deny = Wählen Sie „Erlauben“ oder „Ablehnen“.
error-choose-offered-method = Wählen Sie eine der angebotenen Methoden.
error-too-many-attempts = Zu viele Versuche. Warten Sie einige Minuten und versuchen Sie es dann erneut.
error-wrong-code = Dieser Code ist nicht richtig. Versuchen Sie es erneut.
error-invalid-email = Geben Sie eine E-Mail-Adresse wie name@example.com ein.
error-mail-limit = Es wurden bereits mehrere Codes gesendet. Verwenden Sie den neuesten oder warten Sie einige Minuten.
error-sign-in-blocked = Diese Anmeldung wurde zu Ihrem Schutz blockiert. Versuchen Sie es später oder aus einem anderen Netzwerk erneut.
error-sign-up-blocked = Diese Registrierung wurde zu Ihrem Schutz blockiert. Versuchen Sie es später oder aus einem anderen Netzwerk erneut.
error-stronger-sign-in = Diese Anwendung verlangt eine stärkere Anmeldung, als Ihr Konto bieten kann. Fügen Sie in den Sicherheitseinstellungen Ihres Kontos einen Passkey hinzu und versuchen Sie es erneut.
error-sign-in-refused = Anmeldung abgelehnt.
error-logout-invalid = Die Abmeldeanfrage ist ungültig.
error-logout-needs-hint = post_logout_redirect_uri erfordert einen id_token_hint.
error-logout-unregistered = post_logout_redirect_uri ist nicht registriert.

## Sign-in

login-title = Anmelden
login-heading = Bei { $tenant } anmelden
login-continue-to = um zu <strong>{ $client }</strong> zu gelangen
login-testing-notice = Entwicklungsmandant: Anmeldungen durch Skripte und automatisierte Browser müssen ihre Identität nicht bestätigen. Verwenden Sie ihn nicht für echte Konten.
login-forgot-password = Passwort vergessen?
login-code-label = Oder einen Anmeldecode per E-Mail erhalten
login-email-me-a-code = Code per E-Mail senden
login-passkey = Mit einem Passkey anmelden
login-new-here = Neu hier?
login-create-account = Konto erstellen
login-legacy-unavailable = Ihr Passwort kann gerade nicht geprüft werden. Versuchen Sie es in einigen Minuten erneut.
login-incorrect = E-Mail-Adresse oder Passwort ist falsch.
login-use-passkey = Melden Sie sich mit einem Passkey an.
login-purpose-device = ein Gerät zu verbinden
login-purpose-account = Ihren Kontoeinstellungen

## Sign-in codes by email

email-code-intro = Falls zu <strong>{ $email }</strong> ein Konto existiert, haben wir dorthin einen Anmeldecode gesendet. Er ist 10 Minuten lang gültig.
email-code-label = Anmeldecode
email-code-wrong = Dieser Code ist nicht richtig oder abgelaufen. Prüfen Sie die neueste E-Mail oder fordern Sie einen neuen Code an.
email-code-disabled = Anmeldecodes per E-Mail sind nicht aktiviert.
email-code-invalid-address = Geben Sie eine gültige E-Mail-Adresse ein.
email-link-other-browser = Öffnen Sie diesen Link in dem Browser, in dem Sie ihn angefordert haben, oder geben Sie dort den Code aus der E-Mail ein. Links funktionieren nur in diesem Browser und nur 10 Minuten lang.
email-link-gone = Dieser Anmeldelink wurde bereits verwendet, ist abgelaufen oder wurde durch einen neueren ersetzt. Verwenden Sie die neueste E-Mail.

## Second step

mfa-title = Bestätigen Sie, dass Sie es sind
mfa-passkey-required = Diese Anwendung verlangt einen Passkey.
mfa-one-more-step = Noch ein Schritt bis zur Anmeldung.
mfa-use-passkey = Passkey verwenden
mfa-totp-label = Code aus Ihrer Authenticator-App
mfa-email-code-label = Code, den wir an Ihre E-Mail-Adresse gesendet haben
mfa-use-recovery-code = Wiederherstellungscode verwenden
mfa-recovery-code-label = Wiederherstellungscode
mfa-no-second-step = Es wartet keine Anmeldung auf einen zweiten Schritt.
passkey-request-expired = Die Passkey-Anfrage ist abgelaufen oder wurde bereits verwendet. Beginnen Sie von vorn.
passkey-unavailable = Passkeys sind auf diesem Server nicht verfügbar (dafür ist eine https- oder localhost-Adresse nötig).
passkey-sign-in-disabled = Die Anmeldung mit Passkeys ist nicht aktiviert.
passkey-not-registered = Dieser Passkey ist hier nicht registriert.
passkey-not-accepted = Dieser Passkey wurde nicht akzeptiert.
passkey-nothing-waiting = Es wartet keine Anmeldung.

## Consent

consent-title = Zugriff erlauben
consent-title-agent = Einen KI-Agenten für Sie handeln lassen
consent-heading = { $client } Zugriff erlauben?
consent-asks = <strong>{ $client }</strong> möchte:
consent-agent-heading = { $client } in Ihrem Namen handeln lassen?
consent-agent-notice = <strong>{ $client } ist ein KI-Agent.</strong> Wenn Sie es erlauben, kann er selbstständig für Sie handeln, ohne Sie erneut zu fragen, innerhalb der unten genannten Grenzen, bis { $until } oder bis Sie es widerrufen.
consent-agent-operator = Betrieben von <strong>{ $owner }</strong>.
consent-agent-may = Er darf:
consent-agent-services = bei diesen Diensten:
consent-agent-ends = Der Zugriff endet am <strong>{ $until }</strong>. Bis dahin können Sie ihn jederzeit selbst in Ihrem Konto widerrufen, unter <a href="{ $manage }">{ $manage }</a>: Der Agent hört sofort auf. Auch die App, die ihn verbunden hat, kann ihn beenden.
consent-unverified = <strong>Nicht überprüfte Anwendung.</strong> Der Name „{ $client }“ stammt von der Anwendung selbst und wurde nicht geprüft. Sie wird durch <strong>{ $host }</strong> identifiziert. Erlauben Sie den Zugriff nur, wenn Sie dieser Website vertrauen.
consent-former-user = ein ehemaliger Benutzer
consent-returns-to = Anschließend werden Sie zu <strong>{ $host }</strong> zurückgeleitet.
consent-details = Nur für diese Anfrage, genau:
scope-openid = Wissen, wer Sie sind
scope-profile = Ihren Namen und Ihre Profilangaben sehen
scope-email = Ihre E-Mail-Adresse sehen
scope-phone = Ihre Telefonnummer sehen
scope-address = Ihre Postanschrift sehen
scope-offline-access = Zugriff behalten, auch wenn Sie die Anwendung gerade nicht nutzen
scope-other = Die Berechtigung „{ $scope }“ nutzen

## Devices

device-title = Gerät verbinden
device-intro = Geben Sie den Code ein, der auf Ihrem Gerät oder in Ihrem Terminal angezeigt wird.
device-compare-code = Erlauben Sie dies nur, wenn das Gerät oder Terminal, das Sie verbinden, den Code <strong>{ $code }</strong> anzeigt.
device-too-many = Zu viele falsche Codes. Warten Sie 15 Minuten und versuchen Sie es dann erneut.
device-wrong-code = Dieser Code ist ungültig: Prüfen Sie ihn und versuchen Sie es erneut. Codes verfallen nach 10 Minuten.
device-connected-title = Gerät verbunden
device-connected = { $client } ist jetzt verbunden. Kehren Sie zu Ihrem Gerät zurück.
device-denied-title = Zugriff verweigert
device-denied = { $client } hat keinen Zugriff erhalten.

## Sign-out

logout-title = Abmelden
logout-heading = Von { $tenant } abmelden?
logout-submit = Abmelden
logout-done = Sie sind abgemeldet

## Sign-up

signup-title = Konto erstellen
signup-heading = Ihr { $tenant }-Konto erstellen
signup-optional = (optional)
signup-honeypot = Dieses Feld leer lassen
signup-accept-both = Ich akzeptiere die <a href="{ $terms }" target="_blank" rel="noopener">Nutzungsbedingungen</a> und die <a href="{ $privacy }" target="_blank" rel="noopener">Datenschutzerklärung</a>
signup-accept-terms = Ich akzeptiere die <a href="{ $terms }" target="_blank" rel="noopener">Nutzungsbedingungen</a>
signup-accept-privacy = Ich akzeptiere die <a href="{ $privacy }" target="_blank" rel="noopener">Datenschutzerklärung</a>
signup-submit = Konto erstellen
signup-have-account = Sie haben bereits ein Konto?
signup-closed = Hier werden keine Konten erstellt. Bitten Sie den Betreiber der Anwendung um Zugang.
signup-invitation-gone = Diese Einladung funktioniert nicht mehr: Sie wurde verwendet, zurückgezogen oder ist abgelaufen. Bitten Sie die Person, die Sie eingeladen hat, um eine neue.
signup-too-many = Aus Ihrem Netzwerk wurden zu viele Konten erstellt. Versuchen Sie es in einer Stunde erneut.
signup-not-ascii = Verwenden Sie eine Adresse aus einfachen lateinischen Buchstaben, Ziffern und Satzzeichen.
signup-domain-refused = Mit Adressen dieser Domain können hier keine Konten erstellt werden.
signup-invited-taken = Für diese Adresse gibt es bereits ein Konto: Melden Sie sich stattdessen damit an.
signup-captcha-failed = Bestätigen Sie, dass Sie ein Mensch sind: Führen Sie die Prüfung über der Schaltfläche durch.
signup-captcha-unavailable = Die Prüfung, ob Sie ein Mensch sind, konnte nicht abgeschlossen werden. Versuchen Sie es gleich noch einmal.
signup-accept-required = Akzeptieren Sie die Bedingungen, um ein Konto zu erstellen.
signup-field-required = Geben Sie { $field } ein.
signup-field-invalid = { $field }: { $reason }.
password-rules = Mindestens { $min } Zeichen.
password-rules-breached = Mindestens { $min } Zeichen. Passwörter, die in Listen geleakter Passwörter vorkommen, werden abgelehnt.
password-too-short = Das Passwort muss mindestens { $min } Zeichen lang sein.
password-too-long = Das Passwort darf höchstens { $max } Byte lang sein.
password-too-common = Das Passwort ist zu verbreitet; wählen Sie ein anderes.
password-refused = Das Passwort wurde abgelehnt: { $reason }.
claim-name = Name
claim-given-name = Vorname
claim-family-name = Nachname
claim-phone-number = Telefonnummer
claim-birthdate = Geburtsdatum
claim-locale = Sprache
claim-field = Dieses Feld
# Mit Possessivpronomen, für „Geben Sie { $field } ein.“
claim-name-lower = Ihren Namen
claim-given-name-lower = Ihren Vornamen
claim-family-name-lower = Ihren Nachnamen
claim-phone-number-lower = Ihre Telefonnummer
claim-birthdate-lower = Ihr Geburtsdatum
claim-locale-lower = Ihre Sprache
claim-invalid-birthdate = bitte im Format JJJJ-MM-TT oder JJJJ angeben
claim-invalid-phone-number = bitte im internationalen Format angeben, z. B. +4930123456
claim-invalid-locale = bitte als Sprachcode angeben, z. B. de oder pt-BR
field-required = darf nicht leer sein
field-too-long = darf höchstens { $max } Zeichen lang sein
field-control-characters = darf keine Steuerzeichen enthalten
field-bidi-characters = darf keine bidirektionalen Formatierungszeichen enthalten
field-between = muss zwischen { $min } und { $max } liegen
field-between-seconds = muss zwischen { $min } und { $max } Sekunden liegen
field-between-days = muss zwischen { $min } und { $max } Tagen liegen
field-https-url = muss eine absolute https-URL sein
field-colour = muss eine Farbe wie #1a2b3c sein
field-sign-in-method = muss mindestens eine Anmeldeart anbieten: Passwort, Passkey oder Code per E-Mail
field-domain-name = muss ein Domainname in Kleinbuchstaben wie example.com sein (ein internationalisierter in seiner xn--Form)
field-scope-token = ein Scope besteht aus 1-128 druckbaren ASCII-Zeichen ohne Leerzeichen, '"' oder '\' (RFC 6749 §3.3)
field-redirect-not-https = http-Weiterleitungs-URIs sind nur auf Loopback erlaubt; verwenden Sie https
field-redirect-fragment = eine Weiterleitungs-URI darf kein Fragment enthalten (RFC 6749 §3.1.2)
field-redirect-wildcard = eine Weiterleitungs-URI darf keine Platzhalter enthalten; sie wird exakt verglichen
field-redirect-not-absolute = eine Weiterleitungs-URI muss eine absolute URI sein

## Proving an address

check-mail-intro = Wir haben einen Link und einen Code an <strong>{ $email }</strong> gesendet, um zu bestätigen, dass die Adresse Ihnen gehört. Öffnen Sie den Link in diesem Browser oder geben Sie den Code hier ein. Beide funktionieren einmal und 24 Stunden lang. Link auf einem anderen Gerät geöffnet? Laden Sie diese Seite neu.
check-mail-no-mail = Nach ein paar Minuten noch keine E-Mail? Sehen Sie im Spam-Ordner nach, oder
check-mail-resend = Erneut senden
check-mail-wrong-code = Dieser Code ist nicht richtig oder nicht mehr gültig. Prüfen Sie die neueste E-Mail oder fordern Sie eine neue an.
check-mail-resent = Wir haben eine neue E-Mail gesendet. Frühere Links und Codes funktionieren nicht mehr.
verify-title = E-Mail-Adresse bestätigen
verify-intro = Bestätigen Sie, dass diese Adresse zu Ihrem { $tenant }-Konto gehört.
verify-submit = E-Mail-Adresse bestätigen
verify-link-gone = Dieser Link funktioniert nicht mehr: Er wurde verwendet, ist abgelaufen oder wurde durch eine neuere E-Mail ersetzt. Melden Sie sich an, um einen neuen zu erhalten.
verified-title = E-Mail-Adresse bestätigt
verified-message = Ihre E-Mail-Adresse ist bestätigt. Kehren Sie zu der Seite zurück, auf der Sie Ihr Konto erstellt haben, oder melden Sie sich bei der Anwendung an.

## Password reset

recover-title = Passwort zurücksetzen
recover-intro = Geben Sie die Adresse Ihres { $tenant }-Kontos ein. Wir senden Ihnen einen Link, mit dem Sie ein neues Passwort wählen können.
recover-submit = Link zum Zurücksetzen senden
recover-back = Zurück zur Anmeldung
recover-sent = Falls zu { $email } ein Konto existiert, haben wir dorthin einen Link gesendet, mit dem Sie ein neues Passwort wählen können. Er funktioniert einmal und 30 Minuten lang.
recover-too-many = Aus Ihrem Netzwerk kamen zu viele Anfragen zum Zurücksetzen. Versuchen Sie es in einer Stunde erneut.
recover-mail-limit = An diese Adresse wurden bereits mehrere E-Mails gesendet. Verwenden Sie die neueste oder warten Sie einige Minuten.
recover-link-gone = Dieser Link zum Zurücksetzen funktioniert nicht mehr: Er wurde verwendet, ist abgelaufen (nach 30 Minuten) oder wurde durch eine neuere E-Mail ersetzt. Fordern Sie einen neuen an.
new-password-title = Neues Passwort wählen
new-password-for = für <strong>{ $email }</strong>
new-password-label = Neues Passwort
new-password-second-factor = Ihr Konto hat einen zweiten Anmeldeschritt: Er wird abgefragt, bevor das neue Passwort gilt.
new-password-submit = Passwort festlegen
recover-passkey-title = Passkey hinzufügen
recover-passkey-intro = Ihr Konto meldet sich mit Passkeys an. Erstellen Sie auf diesem Gerät einen neuen, um wieder hineinzukommen; Ihre anderen Passkeys funktionieren weiter, bis Sie sie entfernen.
recover-passkey-code-intro = Ihr Konto hat eine Authenticator-App oder Wiederherstellungscodes: Geben Sie einen Code daraus ein, bevor Sie den neuen Passkey hinzufügen.
recover-passkey-code-label = Code aus Ihrer Authenticator-App oder ein Wiederherstellungscode
recover-passkey-code-first = Geben Sie zuerst einen Code aus Ihrer Authenticator-App oder einen Wiederherstellungscode ein.
recover-passkey-unsupported = Zum Hinzufügen eines Passkeys brauchen Sie einen Browser mit Passkeys und JavaScript. Öffnen Sie den Link auf dem Gerät, das Ihren neuen Passkey speichern soll.

## Account security

security-heading = Anmeldung und Sicherheit
security-signed-in-as = Angemeldet als <strong>{ $email }</strong>, mit: <span id="session-sign-in">{ $methods }</span>.
security-confirm-first = Um eine Anmeldemethode hinzuzufügen oder zu entfernen, <a href="{ $url }">bestätigen Sie zuerst, dass Sie es sind</a>.
security-authenticators = Ihre Authentifikatoren
security-password-only = Sie melden sich nur mit Ihrem Passwort an. Fügen Sie eine Authenticator-App oder einen Passkey hinzu, um Ihr Konto zu schützen.
security-added = hinzugefügt am { $date }
security-last-used = zuletzt verwendet am { $date }
security-remove = Entfernen
security-add = Hinzufügen
security-add-app = Authenticator-App hinzufügen
security-passkey-name = Name des Passkeys
security-add-passkey = Passkey hinzufügen
security-new-recovery-codes = Neue Wiederherstellungscodes erstellen
security-removed = Der Authentifikator wurde entfernt.
security-gone = Dieser Authentifikator ist bereits entfernt.
security-setup-expired = Die Einrichtung ist abgelaufen. Beginnen Sie von vorn.
security-totp-wrong = Dieser Code ist nicht richtig. Prüfen Sie die Uhrzeit Ihres Telefons und versuchen Sie es erneut.
security-totp-ready = Ihre Authenticator-App ist eingerichtet.
security-confirm-before-passkey = Bestätigen Sie zuerst, dass Sie es sind (der Link auf dieser Seite), und fügen Sie dann den Passkey hinzu.
security-passkeys-off = Passkeys sind deaktiviert.
security-passkey-taken = Dieser Passkey ist bereits registriert.
factor-totp = Authenticator-App
factor-passkey = Passkey
factor-recovery-codes = Wiederherstellungscodes ({ $left } übrig)
totp-title = Authenticator-App
totp-heading = Authenticator-App hinzufügen
totp-intro = Scannen Sie diesen Code mit Ihrer Authenticator-App oder geben Sie den Schlüssel von Hand ein.
totp-qr-label = QR-Code des unten stehenden Schlüssels
totp-key = Schlüssel:
totp-name = Name
totp-code-label = Der sechsstellige Code, den Ihre App anzeigt
recovery-codes-title = Wiederherstellungscodes
recovery-codes-heading = Ihre Wiederherstellungscodes
recovery-codes-notice = Bewahren Sie diese Codes an einem sicheren Ort auf. Jeder meldet Sie einmal an, falls Sie Ihren Authentifikator verlieren. Sie werden nur jetzt angezeigt; ältere Codes funktionieren nicht mehr.
recovery-codes-done = Fertig

## Mails

mail-sign-in-subject = Ihr Anmeldecode für { $tenant }
mail-sign-in-text = Ihr Anmeldecode lautet { $code }
mail-sign-in-link = Oder öffnen Sie diesen Link in dem Browser, in dem Sie den Code angefordert haben:
mail-sign-in-expiry = Code und Link verfallen nach 10 Minuten und funktionieren nur einmal.
mail-sign-in-not-you = Wenn Sie sich nicht anmelden wollten, ignorieren Sie diese Nachricht.
mail-sign-in-not-you-password = Wenn Sie sich nicht anmelden wollten, kennt womöglich jemand Ihr Passwort: Ändern Sie es.
mail-verify-subject = Bestätigen Sie Ihre E-Mail-Adresse für { $tenant }
mail-verify-text =
    Ihr Bestätigungscode lautet { $code }

    Oder öffnen Sie diesen Link, um Ihre Adresse zu bestätigen:
    { $link }

    Code und Link funktionieren einmal und 24 Stunden lang. Wenn Sie bei { $tenant } kein Konto erstellt haben, ignorieren Sie diese Nachricht: Ohne sie geschieht nichts.
mail-reset-subject = Setzen Sie Ihr Passwort für { $tenant } zurück
mail-reset-text =
    Öffnen Sie diesen Link, um ein neues Passwort für Ihr { $tenant }-Konto zu wählen:
    { $link }

    Er funktioniert einmal und 30 Minuten lang. Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese Nachricht: Ihr Passwort bleibt unverändert.
mail-taken-subject = Jemand wollte mit Ihrer Adresse ein { $tenant }-Konto erstellen
mail-taken-text =
    Jemand wollte bei { $tenant } mit dieser E-Mail-Adresse ein Konto erstellen. Sie haben bereits eines, daher wurde nichts geändert.

    Falls Sie das waren, melden Sie sich wie gewohnt bei der Anwendung an; falls Sie Ihr Passwort vergessen haben, setzen Sie es hier zurück:
    { $link }

    Falls Sie das nicht waren, können Sie diese Nachricht ignorieren.
mail-password-changed-subject = Ihr Passwort für { $tenant } wurde geändert
mail-password-changed-text =
    Das Passwort Ihres { $tenant }-Kontos wurde am { $when } zurückgesetzt, und alle damit angemeldeten Geräte wurden abgemeldet.

    Wenn Sie das nicht waren, setzen Sie Ihr Passwort sofort zurück und prüfen Sie die Anmeldemethoden Ihres Kontos:
    { $link }
mail-reset-passkey-subject = Zurück in Ihr { $tenant }-Konto
mail-reset-passkey-text =
    Öffnen Sie diesen Link, um Ihrem { $tenant }-Konto einen neuen Passkey hinzuzufügen:
    { $link }

    Er funktioniert einmal, 30 Minuten lang. Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese Nachricht: Es ändert sich nichts.
mail-passkey-recovered-subject = Ihrem { $tenant }-Konto wurde ein Passkey hinzugefügt
mail-passkey-recovered-text =
    Ihrem { $tenant }-Konto wurde am { $when } über einen Link zum Zurücksetzen ein neuer Passkey hinzugefügt, und alle angemeldeten Geräte wurden abgemeldet.

    Wenn Sie das nicht waren, holen Sie sich Ihr Konto sofort zurück und entfernen Sie den Passkey, den Sie nicht kennen:
    { $link }
mail-factor-subject = Ihr { $tenant }-Konto: { $change }
mail-factor-text =
    { $change } – in Ihrem { $tenant }-Konto ({ $when } UTC{ $from }).

    Wenn Sie das waren, ist nichts zu tun. Falls nicht, kennt jemand Ihr Passwort: Ändern Sie es sofort, entfernen Sie in den Sicherheitseinstellungen Ihres Kontos alles, was Sie nicht kennen, und wenden Sie sich an { $tenant }.
mail-factor-from = , von { $ip }
change-totp-added = Eine Authenticator-App wurde hinzugefügt
change-recovery-codes = Neue Wiederherstellungscodes wurden erstellt
change-factor-removed = Eine Anmeldemethode wurde entfernt
change-passkey-added = Ein Passkey wurde hinzugefügt

mail-email-change-subject = Bestätigen Sie Ihre neue E-Mail-Adresse für { $tenant }
mail-email-change-text =
    Öffnen Sie diesen Link, um diese Adresse für Ihr { $tenant }-Konto zu verwenden:
    { $link }

    Er funktioniert einmal und 24 Stunden lang. Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht: Ohne den Link ändert sich nichts.
mail-email-changed-subject = Die E-Mail-Adresse Ihres { $tenant }-Kontos wurde geändert
mail-email-changed-text =
    Ihr { $tenant }-Konto verwendet jetzt eine andere E-Mail-Adresse ({ $new }); mit dieser Adresse können Sie sich nicht mehr anmelden.

    Wenn Sie das nicht waren, benutzt womöglich jemand Ihr Konto: Setzen Sie Ihr Passwort mit Ihrer neuen Adresse zurück oder wenden Sie sich an den Support von { $tenant }.
mail-invitation-subject = Sie sind zu { $tenant } eingeladen
mail-invitation-text =
    Sie sind eingeladen, Ihr { $tenant }-Konto zu erstellen. Öffnen Sie diesen Link, um Ihr Passwort zu wählen:
    { $link }

    Er funktioniert einmal, bis zum { $until }. Wenn Sie kein Konto möchten, ignorieren Sie diese Nachricht.

## Account centre

account-nav-label = Konto
account-sign-out = Abmelden
account-not-set = Nicht angegeben
nav-overview = Übersicht
nav-overview-about = Ihr Konto auf einen Blick.
nav-profile = Profil
nav-profile-about = Ihr Name und Ihre Angaben.
nav-password = Passwort
nav-password-about = Ihr Passwort ändern oder festlegen.
nav-security-about = Passkeys, Authenticator-App und Wiederherstellungscodes.
nav-sessions = Sitzungen
nav-sessions-about = wo Sie angemeldet sind, und sich dort abmelden.
nav-apps = Verbundene Apps
nav-apps-about = Apps, denen Sie die Nutzung Ihres Kontos erlaubt haben.
nav-agents = Agenten
nav-agents-about = KI-Agenten, denen Sie erlaubt haben, für Sie zu handeln.
nav-privacy = Datenschutz
nav-privacy-about = Ihre Daten.
overview-title = Ihr Konto
overview-name-missing = Nicht angegeben. <a href="{ $url }">Namen hinzufügen</a>
overview-verified = { $email } (bestätigt)
overview-not-verified = { $email } (nicht bestätigt)
overview-what-you-can-do = Was Sie hier tun können
profile-verified = Diese Adresse ist bestätigt.
profile-not-verified = Diese Adresse ist noch nicht bestätigt.
profile-email-confirm-first = Um Ihre Adresse zu ändern, <a href="{ $url }">bestätigen Sie zuerst, dass Sie es sind</a>.
profile-new-email = Neue E-Mail-Adresse
profile-new-email-hint = Wir senden einen Link an die neue Adresse; die Änderung erfolgt, wenn Sie ihn öffnen.
profile-change-email = E-Mail-Adresse ändern
profile-details = Ihre Angaben
profile-details-intro = Lassen Sie ein Feld leer, um die Angabe zu entfernen. Apps, denen Sie erlauben, Ihr Profil zu sehen, erhalten diese Angaben.
profile-phone-hint = Mit Ländervorwahl, zum Beispiel +4930123456.
profile-birthdate-hint = Als Jahr-Monat-Tag, zum Beispiel 1990-12-31, oder nur das Jahr.
profile-save = Speichern
profile-saved = Ihr Profil wurde gespeichert.
profile-email-sent = Wir haben einen Link an die neue Adresse gesendet. Ihre Adresse ändert sich, wenn Sie ihn öffnen.
profile-error-phone = Geben Sie die Telefonnummer mit + und Ländervorwahl ein, zum Beispiel +4930123456.
profile-error-birthdate = Geben Sie das Geburtsdatum als Jahr-Monat-Tag ein, zum Beispiel 1990-12-31, oder nur das Jahr.
profile-error-locale = Wählen Sie eine Sprache aus der Liste.
profile-error-bidi = { $field } darf keine unsichtbaren Zeichen enthalten, die die Schreibrichtung ändern.
profile-error-control = { $field } darf keine Steuerzeichen (etwa Zeilenumbrüche oder Tabulatoren) enthalten.
profile-error-too-long = { $field } darf höchstens { $max } Zeichen lang sein.
email-change-same = Das ist bereits Ihre Adresse.
email-change-domain-refused = Adressen dieser Domain können hier nicht verwendet werden.
email-change-link-gone = Dieser Link funktioniert nicht mehr: Er wurde verwendet, ist abgelaufen oder wurde durch eine neuere Anfrage ersetzt. Fordern Sie in Ihrem Profil einen neuen an.
email-change-taken = Diese Adresse gehört inzwischen zu einem anderen Konto.
email-change-changed-title = E-Mail-Adresse geändert
email-change-changed = Ihr Konto verwendet jetzt { $email }. Melden Sie sich ab sofort damit an.
email-change-back-to-profile = Zurück zu Ihrem Profil
password-set-title = Passwort festlegen
password-none-yet = Sie melden sich derzeit ohne Passwort an. Sie können eines als weitere Anmeldemöglichkeit hinzufügen.
password-confirm-change = Um Ihr Passwort zu ändern, <a href="{ $url }">bestätigen Sie zuerst, dass Sie es sind</a>.
password-confirm-set = Um ein Passwort festzulegen, <a href="{ $url }">bestätigen Sie zuerst, dass Sie es sind</a>.
password-rules-heading = Regeln für ein neues Passwort
password-rule-max = Höchstens { $max } Byte (etwa ebenso viele Buchstaben).
password-rule-not-common = Keines der am häufigsten verwendeten Passwörter: Diese werden zuerst erraten.
password-rule-phrase = Ein Satz aus einigen zusammenhanglosen Wörtern ist leicht zu merken und schwer zu erraten.
password-signs-out = Wenn Sie Ihr Passwort ändern, werden Sie überall sonst abgemeldet, und Apps verlangen eine erneute Anmeldung.
password-current = Aktuelles Passwort
password-change = Passwort ändern
password-changed = Ihr Passwort wurde geändert. Sie wurden überall sonst abgemeldet.
password-was-set = Ihr Passwort wurde festgelegt. Sie können sich jetzt damit anmelden.
password-wrong-current = Das ist nicht Ihr aktuelles Passwort.
password-enter-new = Geben Sie ein neues Passwort ein.
password-new-too-short = Das neue Passwort muss mindestens { $min } Zeichen lang sein.
password-new-too-long = Das neue Passwort darf höchstens { $max } Byte lang sein.
password-new-too-common = Das neue Passwort ist zu verbreitet; wählen Sie ein anderes.
password-new-refused = Das neue Passwort: { $reason }.
sessions-intro = Wo Sie bei { $tenant } angemeldet sind. Eine Abmeldung wird dort beim nächsten Seitenaufruf wirksam.
sessions-confirm-first = Um andere Sitzungen abzumelden, <a href="{ $url }">bestätigen Sie zuerst, dass Sie es sind</a>.
sessions-this-device-browser = { $browser } (dieses Gerät)
sessions-this-device = Dieses Gerät
sessions-signed-in = Angemeldet
sessions-last-active = Zuletzt aktiv
sessions-signed-in-with = Angemeldet mit
sessions-sign-out-others = Überall sonst abmelden
sessions-none-elsewhere = Sie sind nirgendwo sonst angemeldet.
sessions-ended = Diese Sitzung wurde abgemeldet.
sessions-ended-others = Sie wurden überall sonst abgemeldet.
sessions-use-sign-out = Um sich auf diesem Gerät abzumelden, verwenden Sie „Abmelden“.
sessions-gone = Diese Sitzung ist bereits beendet.
browser-on = { $browser } auf { $system }
browser-any-on = Ein Browser auf { $system }
browser-any = Ein Browser
time-unknown = unbekannt
sign-in-password-otp = Passwort und ein Einmalcode (Authenticator-App oder Wiederherstellungscode)
sign-in-password-email = Passwort und ein Code per E-Mail
sign-in-email = Ein Code per E-Mail
sign-in-password-second = Passwort und ein zweiter Faktor
sign-in-other = Eine andere Anmeldemethode
apps-intro = Apps, denen Sie die Nutzung Ihres { $tenant }-Kontos erlaubt haben. Wenn Sie den Zugriff entfernen, wird die App abgemeldet: Sie muss Sie erneut fragen.
apps-confirm-first = Um den Zugriff einer App zu entfernen, <a href="{ $url }">bestätigen Sie zuerst, dass Sie es sind</a>.
apps-none = Keine App hat Zugriff auf Ihr Konto.
apps-allowed = Erlaubt am { $date }. Sie darf:
apps-remove = Zugriff entfernen
apps-removed = Der Zugriff der App wurde entfernt. Sie muss Sie erneut fragen.
apps-gone = Diese App hat keinen Zugriff, der entfernt werden könnte.
apps-launch-heading = Bei einer App anmelden
apps-open = { $app } öffnen
agents-intro = KI-Agenten, denen Sie erlaubt haben, für Sie zu handeln. Wenn Sie einen Agenten widerrufen, wird er sofort gestoppt, mit allen Tokens, die er besitzt.
agents-confirm-first = Um einen Agenten zu widerrufen, <a href="{ $url }">bestätigen Sie zuerst, dass Sie es sind</a>.
agents-none = Sie haben keinem Agenten erlaubt, für Sie zu handeln.
agents-operated = Betrieben von <strong>{ $owner }</strong>. Erlaubt am { $date }.
agents-unknown-owner = unbekannt
agents-revoked-on = Widerrufen am { $date }.
agents-active-until = Aktiv bis { $date }.
agents-ended-on = Beendet am { $date }.
agents-revoke = Widerrufen
agents-revoked = Der Agent wurde widerrufen. Er kann nicht mehr für Sie handeln.
agents-gone = Dieser Agent hat keinen Zugriff, der widerrufen werden könnte.
privacy-download = Meine Daten herunterladen
privacy-download-text = Erhalten Sie eine Kopie von allem, was { $tenant } über Sie speichert, in einer Datei (JSON). Sie wird im Hintergrund erstellt und eine Stunde lang aufbewahrt.
privacy-delete = Mein Konto löschen
privacy-delete-text = Das Löschen Ihres Kontos beendet Ihre Sitzungen, stoppt die Apps und Agenten, denen Sie Zugriff gegeben haben, und löscht alles, was { $tenant } über Sie speichert. Es kann nicht rückgängig gemacht werden.

## Anmeldung über andere Anbieter (Upstream-OpenID-Connect)
login-continue-with = Weiter mit { $provider }
login-link-notice = Ein Konto mit { $email } gibt es bereits. Melden Sie sich einmal damit an, um Ihr { $provider }-Konto zu verknüpfen; danach meldet { $provider } Sie an.
login-upstream-domain = Die E-Mail-Adresse Ihres { $provider }-Kontos kann hier nicht verwendet werden.
login-upstream-no-account = Mit Ihrem { $provider }-Konto ist hier kein Konto verknüpft. Melden Sie sich auf andere Weise an.
login-upstream-no-email = { $provider } hat keine E-Mail-Adresse übermittelt, ein Konto hier braucht aber eine.
login-upstream-disabled = Dieses Konto kann sich nicht anmelden.
error-upstream-failed = Die Anmeldung über diesen Anbieter hat nicht funktioniert. Versuchen Sie es erneut oder melden Sie sich auf andere Weise an.
error-upstream-unknown = Diese Anmeldeoption ist nicht verfügbar.
sign-in-upstream = Anmeldung über einen anderen Anbieter
sign-in-upstream-mfa = Anmeldung über einen anderen Anbieter mit mehreren Faktoren
security-linked-accounts = Verknüpfte Konten
security-linked = verknüpft am { $date }
security-unlink = Verknüpfung lösen
security-unlink-named = Verknüpfung mit { $provider } lösen
security-unlinked = Die Verknüpfung wurde gelöst.
security-unlink-last = Das ist Ihre einzige Anmeldemöglichkeit, daher bleibt sie verknüpft. Fügen Sie zuerst ein Passwort oder einen Passkey hinzu.
security-link-gone = Dieses Konto ist nicht mehr verknüpft.
purposes-title = Bevor Sie fortfahren
purposes-intro = { $tenant } bittet um Ihre Zustimmung zu Folgendem.
purposes-accept = Ich akzeptiere { $title }
purposes-read = { $title } lesen
purposes-required = Akzeptieren Sie { $title }, um fortzufahren.
privacy-consents = Ihre Einwilligungen
privacy-consents-text = Wozu Sie eingewilligt haben und wann. Sie können eine Einwilligung jederzeit widerrufen: Ihre Apps erhalten ab ihrem nächsten Token nicht mehr, was sie abdeckt.
privacy-granted = Erteilt am { $date } (Version { $version })
privacy-declined = Nicht erteilt
privacy-withdraw = { $title } widerrufen
privacy-grant = { $title } erteilen
privacy-needed = Für die Nutzung Ihres Kontos nötig; endet, wenn Ihr Konto gelöscht wird.
purpose-terms = Nutzungsbedingungen
purpose-privacy = Datenschutzhinweise
privacy-data = Ihre Daten
privacy-preparing = Ihre Daten werden vorbereitet. Diese Seite aktualisiert sich selbst; Sie können sie auch neu laden.
privacy-ready = Ihre Daten sind bereit.
privacy-save = Meine Daten speichern
privacy-export-gone = Dieser Download-Link wurde bereits verwendet oder ist abgelaufen. Fordern Sie Ihre Daten auf der Seite Datenschutz erneut an.
privacy-delete-heading = Ihr Konto
privacy-delete-confirm = Mir ist klar, dass mein Konto und meine Daten endgültig gelöscht werden
privacy-delete-confirm-required = Kreuzen Sie das Kästchen an, um das Löschen Ihres Kontos zu bestätigen.
privacy-deleted-title = Konto gelöscht
privacy-deleted = Ihr Konto bei { $tenant } und Ihre Daten wurden gelöscht.
privacy-confirm-first = Um Ihre Daten herunterzuladen oder Ihr Konto zu löschen, <a href="{ $url }">bestätigen Sie zuerst, dass Sie es sind</a>.
privacy-deletion-scheduled = Ihr Konto bei { $tenant } ist geschlossen und wird mit Ihren Daten am { $date } gelöscht. Anders überlegt? Die E-Mail, die wir Ihnen geschickt haben, enthält einen Link, mit dem Sie es bis dahin behalten können.
purpose-documents-version = Fassung { $version }

## Freigabeanfragen (Backchannel-Authentifizierung, account/approvals)
nav-approvals = Freigabeanfragen
nav-approvals-about = was Apps und Agenten von Ihnen freigeben lassen möchten.
approvals-intro = Apps und KI-Agenten, die Sie nutzen, können Sie um Freigabe bitten, bevor sie etwas tun. Geben Sie nur frei, was Sie erwarten, und prüfen Sie, dass die Referenz mit der übereinstimmt, die die App oder der Agent Ihnen zeigt.
approvals-none = Keine Anfrage wartet auf Ihre Antwort.
approvals-live = Diese Liste aktualisiert sich selbst.
approvals-from = { $client } bittet um Ihre Freigabe
approvals-agent = Ein KI-Agent, betrieben von <strong>{ $owner }</strong>.
approvals-reference = Referenz: <strong>{ $message }</strong>
approvals-details = Die Anfrage lautet:
approvals-scopes = Erhalten würde:
approvals-expires = Antworten Sie vor { $date }.
approvals-approve = Freigeben
approvals-deny = Ablehnen
approvals-confirm-first = Um diese Anfrage freizugeben, <a href="{ $url }">bestätigen Sie zuerst, dass Sie es sind</a>.
approvals-needs-passkey = Diese Freigabe erfordert einen Passkey. <a href="{ $url }">Fügen Sie zuerst einen Passkey hinzu</a>.
approvals-approved = Sie haben die Anfrage freigegeben.
approvals-denied = Sie haben die Anfrage abgelehnt.
approvals-gone = Diese Anfrage wurde bereits beantwortet, ist abgelaufen oder wurde zurückgezogen.
mail-approval-reference = Referenz: { $message }
mail-approval-subject = { $client } bittet um Ihre Freigabe
mail-approval-text =
    { $client } bittet Sie, eine Anfrage für Ihr Konto bei { $tenant } freizugeben:

    { $what }

    Prüfen Sie sie und geben Sie sie vor { $until } frei oder lehnen Sie sie ab:
    { $link }

    Wenn Sie diese Anfrage nicht erwartet haben, lehnen Sie sie ab.

## Ein Konto behalten, dessen Löschung wartet (account/keep)
keep-title = Konto behalten
keep-intro = Sie haben die Löschung Ihres Kontos bei { $tenant } beantragt; es ist bis dahin geschlossen. Behalten Sie es, wird es wieder geöffnet, wie es war.
keep-submit = Mein Konto behalten
keep-link-gone = Dieser Link funktioniert nicht mehr: Er wurde verwendet, das Konto wurde bereits gelöscht oder behalten, oder eine neuere E-Mail hat ihn ersetzt.
kept-title = Ihr Konto bleibt bestehen
kept-message = Ihr Konto bei { $tenant } ist wieder geöffnet. Melden Sie sich wie gewohnt an.
kept-sign-in = Anmelden
mail-keep-subject = Ihr Konto bei { $tenant } wird am { $date } gelöscht
mail-keep-text =
    Sie haben die Löschung Ihres Kontos bei { $tenant } beantragt. Es ist jetzt geschlossen und wird am { $date } gelöscht.

    Haben Sie es sich anders überlegt? Öffnen Sie vorher diesen Link, um es zu behalten:
    { $link }

    Wenn Sie das nicht beantragt haben, behalten Sie das Konto mit dem Link und ändern Sie Ihr Passwort.

## The administrators' console
console-nav = Konsole
console-tenants = Mandanten
console-signed-in-as = Angemeldet als { $who }
console-sign-out = Abmelden
console-tenants-intro = Die Mandanten, die Sie verwalten.
console-no-tenants = Sie haben noch in keinem Mandanten eine Rolle.
console-users = Benutzer
console-users-of = Benutzer von { $tenant }
console-search-label = E-Mail-Adresse, Benutzer-ID oder Anfang eines Namens
console-search = Suchen
console-col-email = E-Mail
console-col-name = Name
console-col-status = Status
console-status-active = Aktiv
console-status-disabled = Deaktiviert
console-no-users = Keine Benutzer gefunden.
console-next-page = Nächste Seite
console-back-to-users = Zurück zu den Benutzern
console-user-id = Benutzer-ID
console-email-verified = E-Mail bestätigt
console-yes = Ja
console-no = Nein
console-factors = Zweite Faktoren und Passkeys
console-no-factors = Keine.
console-factors-hidden = Ihre Rolle zeigt die Faktoren dieses Benutzers nicht.
console-reset-factors = Faktoren zurücksetzen
console-reset-question = Alle zweiten Faktoren und Passkeys von { $email } entfernen? Die Person meldet sich dann mit dem an, was bleibt (Passwort oder Code per E-Mail), und richtet neue ein.
console-needs-recent-sign-in = Dafür ist eine Anmeldung innerhalb der letzten 15 Minuten nötig.
console-sign-in-again = Erneut anmelden
console-cancel = Abbrechen
console-factors-were-reset = Alle zweiten Faktoren und Passkeys dieses Benutzers wurden entfernt.
console-not-found = Nicht gefunden.
console-forbidden = Ihre Rolle erlaubt das nicht.
console-form-expired = Dieses Formular ist abgelaufen. Laden Sie die Seite neu und versuchen Sie es erneut.
console-sign-in-failed = Die Anmeldung konnte nicht abgeschlossen werden. Öffnen Sie die Konsole erneut, um neu zu beginnen.
console-actions = Aktionen
console-sign-out-everywhere = Überall abmelden
console-disable = Konto deaktivieren
console-enable = Konto aktivieren
console-sign-out-question = Alle Sitzungen von { $email } beenden, auch die Anmeldungen, die ihre Apps halten? Die Person muss sich überall neu anmelden.
console-disable-question = Das Konto von { $email } deaktivieren? Die Person kann sich erst nach erneuter Aktivierung anmelden und wird jetzt überall abgemeldet.
console-enable-question = Das Konto von { $email } wieder aktivieren? Die Person kann sich dann wie zuvor anmelden.
console-signed-out-everywhere = Dieser Benutzer wurde überall abgemeldet.
console-was-disabled = Dieses Konto wurde deaktiviert.
console-was-enabled = Dieses Konto wurde aktiviert.
console-tenant-nav = Mandant
console-overview = Übersicht
console-clients = Anwendungen und Agenten
console-keys = Signaturschlüssel
console-audit = Audit-Trail
console-administrators = Administratoren
console-taken = Das ist bereits vergeben.
console-secret-of = Neues Secret von { $name }
console-secret-once = Kopieren Sie dieses Secret jetzt und bewahren Sie es sicher auf: Es wird nur dieses eine Mal angezeigt und kann nicht erneut angezeigt werden.
console-secret = Client-Secret
console-secret-stored = Ich habe das Secret gespeichert
console-type-to-confirm = Geben Sie zur Bestätigung { $word } ein
console-new-tenant = Einen Mandanten anlegen
console-create-tenant = Mandant anlegen
console-tenant-id = Mandanten-ID
console-tenant-id-hint = 1-63 Kleinbuchstaben, Ziffern und Bindestriche; sie erscheint in den URLs des Mandanten und kann später nicht geändert werden.
console-tenant-name = Anzeigename
console-tenant-created = Der Mandant wurde mit seinen Signaturschlüsseln angelegt.
console-region = Datenregion
console-issuer = Aussteller
console-created = Erstellt
console-delete-tenant = Mandant löschen
console-delete-tenant-question = { $tenant } mit allen Benutzern, Anwendungen, Agenten, Schlüsseln und dem Audit-Trail löschen? Das kann nicht rückgängig gemacht werden.
console-keys-of = Signaturschlüssel von { $tenant }
console-keys-intro = Tokens werden mit dem aktiven Schlüssel signiert. Der nächste Schlüssel ist bereits veröffentlicht, sodass eine Rotation keine Clients stört, die die Schlüssel zwischenspeichern; ein ausgemusterter Schlüssel bleibt veröffentlicht, bis die damit signierten Tokens abgelaufen sind.
console-col-kid = Schlüssel-ID
console-col-alg = Algorithmus
console-col-state = Zustand
console-col-activated = Signiert seit
console-col-retired = Ausgemustert
console-key-active = Aktiv
console-key-next = Nächster
console-key-retired = Ausgemustert
console-rotate-keys = Schlüssel jetzt rotieren
console-rotate-keys-question = Die Signaturschlüssel von { $tenant } jetzt rotieren? Die nächsten Schlüssel beginnen zu signieren, und die aktiven werden ausgemustert.
console-keys-rotated = Die Schlüssel wurden rotiert.
console-clients-of = Anwendungen und Agenten von { $tenant }
console-no-clients = Noch keine Anwendungen oder Agenten.
console-new-client = Eine Anwendung registrieren
console-new-client-intro = Eine Anwendung, die ihre Benutzer zur Anmeldung hierher schickt. Für Agenten gibt es ein eigenes Formular, mit ihrem Betreiber, ihren Schlüsseln und ihren Obergrenzen.
console-create-client = Anwendung registrieren
console-client-name = Name
console-client-type = Typ
console-client-id = Client-ID
console-client-id-hint = Optional: 3-128 Zeichen aus A-Z, a-z, 0-9, -, ., _ und ~. Bleibt das Feld leer, wird eine erzeugt.
console-redirect-uris = Weiterleitungs-URIs
console-redirect-uris-hint = Eine pro Zeile, exakt abgeglichen: https, http an einer Loopback-Adresse oder ein Private-Use-Schema für eine native App.
console-scopes = Scopes
console-scopes-hint = Die Scopes, die diese Anwendung höchstens anfordern darf, durch Leerzeichen getrennt.
console-jwks = Öffentliche Schlüssel (JWK Set)
console-first-party = Eigene Anwendung (First-Party): Ihre Benutzer werden nicht um Zustimmung gebeten
console-first-party-hint = Nur für die eigenen Anwendungen des Mandanten. Benutzer werden weiterhin gefragt, wenn sie mit prompt=consent oder nach Autorisierungsdetails fragt.
console-new-agent = Einen Agenten registrieren
console-new-agent-intro = Ein Agent authentifiziert sich mit seinen eigenen Schlüsseln und handelt für einen Benutzer nur im Rahmen einer Delegierung, die dieser Benutzer genehmigt hat. Seine Obergrenzen begrenzen jedes Token, das er erhält.
console-create-agent = Agent registrieren
console-save-client = Änderungen speichern
console-edit-client = Anwendung bearbeiten
console-edit-agent = Agent und Obergrenzen bearbeiten
console-client-saved = Die Änderungen wurden gespeichert.
console-agent-description-hint = Wird Benutzern angezeigt, wenn sie gebeten werden, eine Delegierung zu genehmigen. Höchstens 500 Zeichen.
console-agent-operator-kind = Betrieben von
console-operator-client = Eine Anwendung dieses Mandanten
console-operator-user = Ein Benutzer dieses Mandanten
console-agent-operator-id = ID des Betreibers
console-agent-operator-hint = Die Client-ID der Anwendung oder die Benutzer-ID des Benutzers, je nachdem, wer den Agenten betreibt.
console-agent-jwks-hint = Die öffentlichen Schlüssel des Agenten als JWK Set (JSON). Damit signiert er seine Client-Assertions (private_key_jwt): Ein Agent hat Schlüssel, kein Passwort.
console-agent-needs-keys = Ein Agent authentifiziert sich mit seinen Schlüsseln: Geben Sie sein JWK Set an.
console-agent-scopes-hint = Die Scopes, die er höchstens erhalten darf, durch Leerzeichen getrennt.
console-agent-redirect-uris-hint = Optional: wohin der Freigabeablauf zurückkehrt, wenn der Agent einen Benutzer über den Code-Flow um eine Delegierung bittet. Eine pro Zeile, exakt abgeglichen.
console-audiences-hint = Optional: die APIs (Ressourcen-URIs), für die er Tokens erhalten darf, eine pro Zeile.
console-max-token-lifetime-hint = In Sekunden, 30-3600.
console-max-chain-depth-hint = Die größte Anzahl von Agenten in einer Delegierungskette, die mit diesem Agenten endet, 1-5.
console-delegation-lifetime-hint = In Sekunden, von 60 bis 31536000 (365 Tage); 2592000 sind 30 Tage.
console-dpop = Besitznachweis (DPoP)
console-dpop-required = Erforderlich: Jedes Token ist an den Schlüssel des Agenten gebunden
console-dpop-optional = Nicht erforderlich
console-whole-number = Geben Sie eine ganze Zahl ein.
console-rotation-schedule = Rotationsplan
console-rotation-by-hand = Die Schlüssel werden nur rotiert, wenn ein Administrator sie rotiert.
console-rotation-scheduled = Die Schlüssel werden alle { $days } Tage rotiert. Nächste Rotation: { $next }.
console-rotate-every = Rotationsintervall (Tage)
console-rotate-every-hint = 7-730 Tage. Bei jeder Rotation wird der nächste Schlüssel ein volles Intervall veröffentlicht, bevor er zu signieren beginnt. Lassen Sie das Feld leer, um nur von Hand zu rotieren.
console-save-schedule = Plan speichern
console-schedule-saved = Der Rotationsplan wurde gespeichert.
console-jwks-hint = Optional, für eine vertrauliche Anwendung, die ihre Anfragen signiert (private_key_jwt), statt ein Secret zu verwenden: ihr JWK Set als JSON.
console-col-kind = Art
console-kind-agent = KI-Agent
console-kind-saml = SAML-Anwendung
console-kind-confidential = Vertrauliche Anwendung
console-kind-public = Öffentliche Anwendung
console-back-to-clients = Zurück zu den Anwendungen und Agenten
console-auth-method = Authentifizierung
console-grant-types = Grant-Typen
console-key-id = Schlüssel { $kid }
console-agent = Agent
console-agent-description = Was er tut
console-agent-operator = Betreiber
console-operated-by-user = der Benutzer { $id }
console-operated-by-client = die Anwendung { $id }
console-status-suspended = Ausgesetzt
console-ceilings = Obergrenzen
console-allowed-audiences = Dienste, für die er Tokens erhalten darf
console-max-token-lifetime = Längste Token-Lebensdauer
console-max-chain-depth = Längste Kette von Agenten
console-delegation-lifetime = Dauer der Delegierung
console-seconds = { $n } Sekunden
console-rotate-secret = Neues Secret ausstellen
console-rotate-secret-question = Ein neues Secret für { $name } ausstellen? Das aktuelle Secret funktioniert sofort nicht mehr.
console-secret-rotated = Ein neues Secret wurde ausgestellt.
console-suspend-agent = Agent aussetzen
console-suspend-question = { $name } aussetzen? Er kann keine Tokens erhalten, bis er wieder zugelassen wird; seine Delegierungen bleiben bestehen.
console-agent-suspended = Der Agent wurde ausgesetzt.
console-resume-agent = Agent wieder zulassen
console-resume-question = { $name } wieder zulassen? Er kann dann innerhalb seiner Delegierungen wieder Tokens erhalten.
console-agent-resumed = Der Agent wurde wieder zugelassen.
console-delete-client = Löschen
console-delete-client-question = { $name } löschen? Darüber kann sich dann niemand mehr anmelden, und es werden keine Tokens mehr dafür ausgegeben; die Delegierungen eines Agenten enden mit ihm.
console-client-deleted = Der Eintrag wurde gelöscht.
console-audit-of = Audit-Trail von { $tenant }
console-verify-chain = Kette prüfen
console-chain-intact = Die Kette ist intakt: { $count } Ereignisse geprüft.
console-chain-broken = Die Kette ist unterbrochen: { $why }
console-audit-filters = Ereignisse filtern
console-agent-or-client = Agent oder Anwendung
console-event-type = Ereignistyp
console-event-type-hint = Zum Beispiel token.exchanged oder user.signed_in.
console-since = Von (Tag)
console-until = Bis (Tag)
console-not-a-day = Geben Sie einen Tag als YYYY-MM-DD ein.
console-filter = Filtern
console-no-events = Keine passenden Ereignisse.
console-events = Ereignisse
console-col-time = Zeit
console-col-reason = Grund
console-denied = abgelehnt
console-administrators-of = Administratoren von { $tenant }
console-add-administrator = Einen Administrator hinzufügen
console-add-administrator-intro = Vergeben Sie einer Person über ihre E-Mail-Adresse eine Rolle in diesem Mandanten. Eine Adresse ohne Administratorkonto erhält eines, dazu eine E-Mail mit einem Link, um einzurichten, wie sich die Person anmeldet.
console-role = Rolle
console-no-administrators = Niemand hat eine Rolle in diesem Mandanten.
console-col-who = Wer
console-col-since = Seit
console-remove-role = Entziehen
console-remove-role-of = Die Rolle von { $who } entziehen
console-administrator-added = Die Rolle wurde vergeben.
console-administrator-invited = Die Rolle wurde vergeben, und dem neuen Administrator wurde eine E-Mail mit einem Link gesendet, um einzurichten, wie er sich anmeldet.
console-administrator-removed = Die Rolle wurde entzogen.
console-service-account = Dienstkonto { $id }
console-new-user = Einen Benutzer anlegen
console-create-user = Benutzer anlegen
console-edit-user = Profil bearbeiten
console-save = Speichern
console-initial-password = Passwort
console-initial-password-hint = Optional. Bleibt das Feld leer, erhält der Benutzer per E-Mail einen Link, um einzurichten, wie er sich anmeldet.
console-user-created = Der Benutzer wurde angelegt.
console-user-saved = Die Änderungen wurden gespeichert.
console-send-reset = E-Mail zum Zurücksetzen des Passworts senden
console-send-verification = Bestätigungs-E-Mail senden
console-mail-sent = Die E-Mail wurde gesendet.
console-sessions = Sitzungen
console-no-sessions = Keine Sitzungen.
console-col-how = Angemeldet mit
console-col-browser = Browser
console-end-session = Beenden
console-end-session-from = Die Sitzung vom { $since } beenden
console-session-ended = Die Sitzung wurde beendet.
console-consents = Einwilligungen
console-no-consents = Keine Einwilligungen.
console-withdraw-consent = Widerrufen
console-withdraw-consent-to = Die Einwilligung für { $client } widerrufen
console-consent-withdrawn = Die Einwilligung wurde widerrufen; die Anwendung fragt beim nächsten Mal erneut.
console-delegations = Delegierungen an Agenten
console-no-delegations = Keine Delegierungen.
console-col-until = Bis
console-status-revoked = Widerrufen
console-status-expired = Abgelaufen
console-revoke-delegation = Widerrufen
console-revoke-delegation-to = Die Delegierung an { $agent } widerrufen
console-delegation-revoked = Die Delegierung wurde widerrufen; die Tokens, die der Agent dadurch erhalten hat, funktionieren sofort nicht mehr.
console-identities = Verknüpfte Identitäten
console-no-identities = Keine verknüpften Identitäten.
console-settings = Einstellungen
console-settings-read-only = Ihre Rolle zeigt diese Einstellungen an, erlaubt aber keine Änderungen.
console-locale-default = Standard (Englisch)
console-signup-mode = Registrierung
console-signup-closed = Geschlossen: Konten werden von Administratoren angelegt
console-signup-open = Offen: Jeder kann sich registrieren
console-signup-invite = Nur auf Einladung
console-require-verification = Neu registrierte Konten müssen ihre Adresse bestätigen
console-require-verification-hint = Ein Konto mit unbestätigter Adresse kann keine Anmeldung bei einer Anwendung abschließen; der Benutzer wird gebeten, seine E-Mails zu prüfen.
console-allowed-domains = Registrierung nur aus diesen Domains
console-allowed-domains-hint = Optional: eine Domain pro Zeile; Subdomains sind eingeschlossen. Leer: jede Domain.
console-blocked-domains = Registrierung aus diesen Domains abgelehnt
console-domains-hint = Optional: eine Domain pro Zeile; Subdomains sind eingeschlossen.
console-terms-url = Nutzungsbedingungen (URL)
console-privacy-url = Datenschutzhinweise (URL)
console-documents-hint = Optional, https. Das Registrierungsformular verlangt dann, sie zu akzeptieren, und die Zustimmung wird gespeichert.
console-login-password = Benutzer können sich mit einem Passwort anmelden
console-login-passkey = Benutzer können sich mit einem Passkey anmelden
console-login-email-code = Benutzer können sich mit einem per E-Mail gesendeten Code anmelden
console-refuse-common = Gängige und geleakte Passwörter ablehnen
console-session-lifetime = Lebensdauer der Sitzung
console-session-lifetime-hint = In Sekunden, von 300 (5 Minuten) bis 34560000 (400 Tage), unabhängig davon, wie die Sitzung genutzt wird.
console-session-idle = Sitzungs-Timeout bei Inaktivität
console-session-idle-hint = In Sekunden, von 60 (1 Minute) bis 2592000 (30 Tage) ohne Nutzung.
console-mfa = Zweiter Faktor
console-mfa-never = Nur wenn eine Anwendung ihn verlangt
console-mfa-risk = Wenn die Risikorichtlinie oder eine Anwendung ihn verlangt
console-mfa-always = Bei jeder Anmeldung
console-password-min-length = Mindestlänge des Passworts
console-primary-color = Primärfarbe
console-primary-color-hint = Als #rrggbb. Weißer Text darauf muss ein Kontrastverhältnis von 4.5:1 erreichen; eine hellere Farbe wird abgelehnt.
console-logo-uri = Logo (https-URL)
console-default-locale = Standardsprache
console-risk-policy = Risikorichtlinie (JSON)
console-risk-policy-hint = Regeln, Punkte und Schwellenwerte wie in docs/security.md. Leer: die Standardrichtlinie.
console-branding-preview = Vorschau der Anmeldeseiten
console-branding-preview-label = So sehen die Anmeldeseiten von { $tenant } aus
console-sample-button = Weiter
console-sample-link = Ein Link
console-simulator = Was passieren würde
console-simulator-intro = Probieren Sie die Risikorichtlinie an einer gedachten Anmeldung mit Passwort aus: von einer Adresse, mit einem Browser, durch einen Benutzer (dessen frühere Anmeldungen zählen). Nichts wird gespeichert; es wird von keinen fehlgeschlagenen Versuchen ausgegangen.
console-sim-ip = IP-Adresse
console-sim-ua = Browser (User-Agent)
console-sim-user = Benutzer (E-Mail-Adresse oder ID)
console-sim-device = Gerät
console-sim-device-new = Ein Browser, den der Benutzer noch nie verwendet hat
console-sim-device-known = Ein Browser, mit dem sich der Benutzer schon einmal angemeldet hat
console-sim-policy = Zu testende Richtlinie
console-sim-policy-hint = Optional: eine Risikorichtlinie als JSON, die anstelle der gespeicherten getestet wird.
console-sim-run = Ansehen, was passieren würde
console-sim-answer = Die Antwort
console-sim-outcome = Ergebnis
console-sim-allow = Erlaubt
console-sim-deny = Abgelehnt
console-sim-step-up = Ein zweiter Faktor wird verlangt (Stufe { $acr })
console-sim-score = Risikowert
console-sim-place = Standort
console-sim-no-rules = Keine Regel hat ausgelöst.
console-sim-rules = Ausgelöste Regeln
console-sim-rule = Regel
console-sim-points = Punkte
console-sim-detail = Was festgestellt wurde
console-not-an-address = Geben Sie eine IPv4- oder IPv6-Adresse ein.
console-no-such-user = Kein Benutzer dieses Mandanten hat diese Adresse oder ID.
console-back-to-overview = Zurück zur Übersicht
console-activity = Aktivität
console-last-day = Die letzten 24 Stunden
console-last-week = Die letzten 7 Tage
console-stat-sign-ins = Anmeldungen
console-stat-step-ups = Zweiter Faktor von der Risikorichtlinie verlangt
console-stat-risk-denials = Von der Risikorichtlinie abgelehnte Anmeldungen
console-stat-sign-ups = Registrierungen
console-stat-issued = Ausgestellte Tokens
console-stat-refreshed = Erneuerte Tokens
console-stat-exchanged = Getauschte Tokens (Agenten)
console-stat-refused = Abgelehnte Token-Anfragen
console-events-by-type = { $period }: Ereignisse nach Typ
console-tokens-by-grant = { $period }: Token-Anfragen nach Grant
console-grant = Grant
console-grant-answered = Ausgestellte Token
console-grant-refused = Abgelehnt
console-grant-code = Autorisierungscode
console-grant-refresh = Refresh-Token
console-grant-client-credentials = Client-Anmeldedaten
console-grant-exchange = Token-Austausch
console-grant-device = Geräteautorisierung
console-grant-jwt-bearer = JWT-Bearer (Identitätsverkettung)
console-grant-ciba = Backchannel-Authentifizierung (CIBA)
console-grant-other = Andere oder nicht erfasst
console-allowed = Erlaubt
console-stepped-up = Zweiter Faktor verlangt
console-denied-col = Abgelehnt
console-resources = APIs
console-resources-of = APIs von { $tenant }
console-new-resource = Eine API registrieren
console-new-resource-intro = Eine API (ein Ressourcenserver), für die Zugriffstokens ausgestellt werden. Clients fordern sie über ihre Kennung an (RFC 8707), und ihre Tokens tragen die Kennung als Audience.
console-create-resource = API registrieren
console-resource-id = ID
console-resource-id-hint = 1-63 Zeichen aus a-z, 0-9 und -, wird in den URLs der Verwaltung verwendet. Nach der Registrierung unveränderlich.
console-identifier-hint = Eine absolute URI, etwa https://api.example.com/orders: Sie wird von Clients angefordert und ist die Audience der Tokens dieser API.
console-resource-scopes-hint = Die Scopes, die diese API definiert, durch Leerzeichen getrennt, etwa orders:read orders:write. Ihre Tokens enthalten keine anderen.
console-resource-lifetime-hint = In Sekunden, 60-86400.
console-introspection-none = Nein: Die API prüft Tokens selbst
console-introspection-secret = Ja, mit einem Secret (wird einmal angezeigt)
console-resource-added = Die API wurde registriert.
console-resource-deleted = Die API wurde gelöscht.
console-delete-resource = API löschen
console-delete-resource-question = Die API { $name } löschen? Clients können dann keine Tokens mehr dafür erhalten.
console-resources-intro = Die APIs, für die Zugriffstokens ausgestellt werden (Ressourcenindikatoren nach RFC 8707). Introspektion mit Schlüsseln und Änderungen an einer registrierten API laufen über die Verwaltungs-API, unter { $path }.
console-no-resources = Es sind keine APIs registriert.
console-identifier = Kennung
console-token-lifetime = Token-Lebensdauer
console-introspects = Nutzt Introspektion
console-providers = Identitätsanbieter
console-providers-of = Identitätsanbieter von { $tenant }
console-providers-intro = Worüber sich Benutzer dieses Mandanten anmelden können: soziale Netzwerke und Unternehmensanbieter, OpenID Connect oder SAML. OpenID-Connect-Anbieter werden hier hinzugefügt; SAML-Anbieter und alle anderen Einstellungen laufen über die Verwaltungs-API, unter { $path }.
console-redirect-uri-is = Die Weiterleitungs-URI, die bei jedem Anbieter zu registrieren ist:
console-new-provider = Einen Identitätsanbieter hinzufügen
console-new-provider-intro = Benutzer dieses Mandanten können sich dann mit ihrem Konto bei diesem Anbieter anmelden. Registrieren Sie zuerst beim Anbieter die Weiterleitungs-URI, die in der Liste der Anbieter angezeigt wird.
console-create-provider = Identitätsanbieter hinzufügen
console-provider-kind = Anbieter
console-provider-name-hint = Die Beschriftung seiner Schaltfläche auf der Anmeldeseite.
console-provider-id = ID
console-provider-id-hint = 1-32 Zeichen aus a-z, 0-9 und -. Nach dem Hinzufügen unveränderlich.
console-provider-issuer-hint = Für OpenID Connect: der Aussteller des Anbieters, dessen Einstellungen per Discovery ermittelt werden. Google, Microsoft und GitHub haben ihren eigenen: Lassen Sie das Feld leer.
console-provider-client-id-hint = Die Client-ID, die dieser Mandant beim Anbieter hat.
console-provider-secret = Client-Secret
console-provider-secret-hint = Das Client-Secret, das dieser Mandant beim Anbieter hat. Es wird verschlüsselt gespeichert und nie wieder angezeigt.
console-home-realm-hint = Optional: Adressen aus diesen Domains werden direkt zu diesem Anbieter geleitet, eine Domain pro Zeile.
console-provider-create-users = Bei der ersten Anmeldung
console-provider-create-yes = Ein Konto für einen neuen Benutzer anlegen
console-provider-create-no = Nur Benutzer, die bereits ein Konto haben
console-provider-added = Der Identitätsanbieter wurde hinzugefügt.
console-provider-deleted = Der Identitätsanbieter wurde entfernt.
console-delete-provider = Identitätsanbieter entfernen
console-delete-provider-question = { $name } entfernen? Seine Schaltfläche verschwindet von der Anmeldeseite, und die Verknüpfung der darüber verknüpften Konten wird gelöst: Deren Benutzer melden sich auf andere Weise an.
console-delete-of = { $name } löschen
console-no-providers = Es sind keine Identitätsanbieter eingerichtet.
console-home-realm = Anhand der Adresse hierher geleitet
