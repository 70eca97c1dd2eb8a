# Les pages hébergées, leurs messages d’erreur et les e-mails de ciam, en français.
# Vouvoiement. Le balisage des messages (<strong>, <a>) est conservé.

## Every page

language-switcher = Langue
error-prefix = Erreur :
field-email = Adresse e-mail
field-password = Mot de passe
field-code = Code
action-verify = Vérifier
action-continue = Continuer
action-allow = Autoriser
action-deny = Refuser
action-sign-in = Se connecter
action-confirm = Confirmer
close-window = Vous pouvez fermer cette fenêtre.
check-email-title = Consultez vos e-mails

## Errors

error-title = Erreur
error-heading = Un problème est survenu
error-return = Revenez à l’application d’où vous venez et réessayez.
error-unavailable = Le service est temporairement indisponible. Réessayez dans un instant.
error-unavailable-short = Le service est temporairement indisponible.
error-try-again-shortly = Réessayez dans un instant.
error-unknown-tenant = Locataire inconnu.
error-unknown-client = Application inconnue.
error-saml-request = La demande de connexion de cette application ne peut pas être acceptée. Revenez à l'application et réessayez.
error-invalid-authorization-request = Demande d’autorisation non valide.
error-invalid-redirect-uri = Adresse de redirection non valide.
error-invalid-form = Formulaire non valide.
error-flow-expired = Cette page de connexion a expiré ou a été ouverte dans un autre navigateur. Revenez à l’application et recommencez.
error-form-expired = Le formulaire a expiré. Revenez en arrière et réessayez.
error-form-expired-reload = Le formulaire a expiré. Rechargez la page.
error-page-expired-reload = La page a expiré. Rechargez-la.
error-sign-in-page-expired = Cette page de connexion a expiré.
error-choose-allow-or-deny = Choisissez « Autoriser » ou « Refuser ».
error-choose-offered-method = Choisissez l’une des méthodes proposées.
error-too-many-attempts = Trop de tentatives. Patientez quelques minutes, puis réessayez.
error-wrong-code = Ce code est incorrect. Réessayez.
error-invalid-email = Saisissez une adresse e-mail comme nom@example.com.
error-mail-limit = Plusieurs codes ont déjà été envoyés. Utilisez le plus récent ou patientez quelques minutes.
error-sign-in-blocked = Cette connexion a été bloquée pour votre protection. Réessayez plus tard ou depuis un autre réseau.
error-sign-up-blocked = Cette inscription a été bloquée pour votre protection. Réessayez plus tard ou depuis un autre réseau.
error-stronger-sign-in = Cette application demande une connexion plus forte que celle que votre compte permet. Ajoutez une clé d’accès dans les paramètres de sécurité de votre compte, puis réessayez.
error-sign-in-refused = Connexion refusée.
error-logout-invalid = La demande de déconnexion n’est pas valide.
error-logout-needs-hint = post_logout_redirect_uri nécessite un id_token_hint.
error-logout-unregistered = post_logout_redirect_uri n’est pas enregistré.

## Sign-in

login-title = Se connecter
login-heading = Se connecter à { $tenant }
login-continue-to = pour continuer vers <strong>{ $client }</strong>
login-testing-notice = Locataire de développement : les connexions par des scripts et des navigateurs automatisés ne doivent pas confirmer l’identité. Ne l’utilisez pas pour de vrais comptes.
login-forgot-password = Mot de passe oublié ?
login-code-label = Ou recevez un code de connexion par e-mail
login-email-me-a-code = M’envoyer un code par e-mail
login-passkey = Se connecter avec une clé d’accès
login-new-here = Nouveau ici ?
login-create-account = Créer un compte
login-legacy-unavailable = Votre mot de passe ne peut pas être vérifié pour le moment. Réessayez dans quelques minutes.
login-incorrect = Adresse e-mail ou mot de passe incorrect.
login-use-passkey = Connectez-vous avec une clé d’accès.
login-purpose-device = connecter un appareil
login-purpose-account = vos paramètres de compte

## Sign-in codes by email

email-code-intro = Si <strong>{ $email }</strong> correspond à un compte, nous lui avons envoyé un code de connexion. Il expire dans 10 minutes.
email-code-label = Code de connexion
email-code-wrong = Ce code est incorrect ou a expiré. Consultez le dernier e-mail ou demandez un nouveau code.
email-code-disabled = Les codes de connexion par e-mail ne sont pas activés.
email-code-invalid-address = Saisissez une adresse e-mail valide.
email-link-other-browser = Ouvrez ce lien dans le navigateur où vous l’avez demandé, ou saisissez-y le code reçu par e-mail. Les liens ne fonctionnent que dans ce navigateur, pendant 10 minutes.
email-link-gone = Ce lien de connexion a déjà été utilisé, a expiré ou a été remplacé par un plus récent. Utilisez le dernier e-mail.

## Second step

mfa-title = Confirmez votre identité
mfa-passkey-required = Cette application demande une clé d’accès.
mfa-one-more-step = Encore une étape pour vous connecter.
mfa-use-passkey = Utiliser une clé d’accès
mfa-totp-label = Code de votre application d’authentification
mfa-email-code-label = Code envoyé à votre adresse e-mail
mfa-use-recovery-code = Utiliser un code de récupération
mfa-recovery-code-label = Code de récupération
mfa-no-second-step = Aucune connexion n’attend de deuxième étape.
passkey-request-expired = La demande de clé d’accès a expiré ou a déjà été utilisée. Recommencez.
passkey-unavailable = Les clés d’accès ne sont pas disponibles sur ce serveur (il faut une adresse https ou localhost).
passkey-sign-in-disabled = La connexion par clé d’accès n’est pas activée.
passkey-not-registered = Cette clé d’accès n’est pas enregistrée ici.
passkey-not-accepted = Cette clé d’accès n’a pas été acceptée.
passkey-nothing-waiting = Aucune connexion n’est en attente.

## Consent

consent-title = Autoriser l’accès
consent-title-agent = Laisser un agent d’IA agir pour vous
consent-heading = Autoriser l’accès à { $client } ?
consent-asks = <strong>{ $client }</strong> demande à :
consent-agent-heading = Laisser { $client } agir en votre nom ?
consent-agent-notice = <strong>{ $client } est un agent d’IA.</strong> Si vous l’autorisez, il pourra agir pour vous de lui-même, sans vous redemander, dans les limites ci-dessous, jusqu’au { $until } ou jusqu’à ce que vous révoquiez cette autorisation.
consent-agent-operator = Exploité par <strong>{ $owner }</strong>.
consent-agent-may = Il pourra :
consent-agent-services = sur ces services :
consent-agent-ends = L’accès prend fin le <strong>{ $until }</strong>. D’ici là, vous pouvez le révoquer vous-même à tout moment depuis votre compte, à l’adresse <a href="{ $manage }">{ $manage }</a> : l’agent s’arrête aussitôt. L’application qui l’a connecté peut aussi y mettre fin.
consent-unverified = <strong>Application non vérifiée.</strong> Le nom « { $client } » a été fourni par l’application elle-même et n’a pas été vérifié. Elle est identifiée par <strong>{ $host }</strong>. N’autorisez l’accès que si vous faites confiance à ce site.
consent-former-user = un ancien utilisateur
consent-returns-to = Vous serez ensuite redirigé vers <strong>{ $host }</strong>.
consent-details = Pour cette demande uniquement, exactement :
scope-openid = Savoir qui vous êtes
scope-profile = Voir votre nom et les informations de votre profil
scope-email = Voir votre adresse e-mail
scope-phone = Voir votre numéro de téléphone
scope-address = Voir votre adresse postale
scope-offline-access = Conserver l’accès lorsque vous ne l’utilisez pas
scope-other = Utiliser l’autorisation « { $scope } »

## Devices

device-title = Connecter un appareil
device-intro = Saisissez le code affiché sur votre appareil ou dans votre terminal.
device-compare-code = N’autorisez ceci que si l’appareil ou le terminal que vous connectez affiche le code <strong>{ $code }</strong>.
device-too-many = Trop de codes erronés. Patientez 15 minutes, puis réessayez.
device-wrong-code = Ce code n’est pas valide : vérifiez-le et réessayez. Les codes expirent au bout de 10 minutes.
device-connected-title = Appareil connecté
device-connected = { $client } est maintenant connecté. Revenez à votre appareil.
device-denied-title = Accès refusé
device-denied = { $client } n’a pas reçu l’accès.

## Sign-out

logout-title = Se déconnecter
logout-heading = Se déconnecter de { $tenant } ?
logout-submit = Se déconnecter
logout-done = Vous êtes déconnecté

## Sign-up

signup-title = Créer un compte
signup-heading = Créer votre compte { $tenant }
signup-optional = (facultatif)
signup-honeypot = Laissez ce champ vide
signup-accept-both = J’accepte les <a href="{ $terms }" target="_blank" rel="noopener">conditions d’utilisation</a> et la <a href="{ $privacy }" target="_blank" rel="noopener">politique de confidentialité</a>
signup-accept-terms = J’accepte les <a href="{ $terms }" target="_blank" rel="noopener">conditions d’utilisation</a>
signup-accept-privacy = J’accepte la <a href="{ $privacy }" target="_blank" rel="noopener">politique de confidentialité</a>
signup-submit = Créer un compte
signup-have-account = Vous avez déjà un compte ?
signup-closed = Les comptes ne sont pas créés ici. Demandez l’accès au responsable de l’application.
signup-invitation-gone = Cette invitation ne fonctionne plus : elle a été utilisée, retirée ou a expiré. Demandez-en une nouvelle à la personne qui vous a invité.
signup-too-many = Trop de comptes ont été créés depuis votre réseau. Réessayez dans une heure.
signup-not-ascii = Utilisez une adresse composée uniquement de lettres latines simples, de chiffres et de signes de ponctuation.
signup-domain-refused = Les comptes dont l’adresse appartient à ce domaine ne peuvent pas être créés ici.
signup-invited-taken = Cette adresse a déjà un compte : connectez-vous plutôt avec celui-ci.
signup-captcha-failed = Confirmez que vous êtes une personne : effectuez la vérification au-dessus du bouton.
signup-captcha-unavailable = La vérification que vous êtes une personne n’a pas pu aboutir. Réessayez dans un instant.
signup-accept-required = Acceptez les conditions pour créer un compte.
signup-field-required = Saisissez { $field }.
signup-field-invalid = { $field } : { $reason }.
password-rules = Au moins { $min } caractères.
password-rules-breached = Au moins { $min } caractères. Les mots de passe figurant dans des listes de mots de passe divulgués sont refusés.
password-too-short = Le mot de passe doit comporter au moins { $min } caractères.
password-too-long = Le mot de passe doit comporter au plus { $max } octets.
password-too-common = Ce mot de passe est trop courant ; choisissez-en un autre.
password-refused = Le mot de passe a été refusé : { $reason }.
claim-name = Nom
claim-given-name = Prénom
claim-family-name = Nom de famille
claim-phone-number = Numéro de téléphone
claim-birthdate = Date de naissance
claim-locale = Langue
claim-field = Ce champ
# Avec le déterminant, pour « Saisissez { $field }. »
claim-name-lower = votre nom
claim-given-name-lower = votre prénom
claim-family-name-lower = votre nom de famille
claim-phone-number-lower = votre numéro de téléphone
claim-birthdate-lower = votre date de naissance
claim-locale-lower = votre langue
claim-invalid-birthdate = utilisez le format AAAA-MM-JJ ou AAAA
claim-invalid-phone-number = utilisez le format international, par exemple +33123456789
claim-invalid-locale = indiquez un code de langue, par exemple fr ou pt-BR
field-required = ne doit pas être vide
field-too-long = doit faire au plus { $max } caractères
field-control-characters = ne doit pas contenir de caractères de contrôle
field-bidi-characters = ne doit pas contenir de caractères de formatage bidirectionnel
field-between = doit être compris entre { $min } et { $max }
field-between-seconds = doit être compris entre { $min } et { $max } secondes
field-between-days = doit être compris entre { $min } et { $max } jours
field-https-url = doit être une URL https absolue
field-colour = doit être une couleur comme #1a2b3c
field-sign-in-method = doit offrir au moins une façon de se connecter : mot de passe, clé d’accès ou code par e-mail
field-domain-name = doit être un nom de domaine en minuscules comme example.com (un nom internationalisé sous sa forme xn--)
field-scope-token = un scope compte 1 à 128 caractères ASCII imprimables, sans espace, '"' ni '\' (RFC 6749 §3.3)
field-redirect-not-https = les URI de redirection http ne sont permises que sur la boucle locale ; utilisez https
field-redirect-fragment = une URI de redirection ne doit pas contenir de fragment (RFC 6749 §3.1.2)
field-redirect-wildcard = une URI de redirection ne doit pas contenir de jokers ; elle est comparée exactement
field-redirect-not-absolute = une URI de redirection doit être une URI absolue

## Proving an address

check-mail-intro = Nous avons envoyé un lien et un code à <strong>{ $email }</strong> pour confirmer que cette adresse est bien la vôtre. Ouvrez le lien dans ce navigateur ou saisissez le code ici. Tous deux fonctionnent une seule fois, pendant 24 heures. Vous avez ouvert le lien sur un autre appareil ? Rechargez cette page.
check-mail-no-mail = Toujours pas d’e-mail après quelques minutes ? Vérifiez votre dossier de courrier indésirable, ou
check-mail-resend = Renvoyer
check-mail-wrong-code = Ce code est incorrect ou ne fonctionne plus. Consultez le dernier e-mail ou demandez-en un nouveau.
check-mail-resent = Nous avons envoyé un nouvel e-mail. Les liens et codes précédents ne fonctionnent plus.
verify-title = Confirmez votre adresse e-mail
verify-intro = Confirmez que cette adresse appartient à votre compte { $tenant }.
verify-submit = Confirmer l’adresse e-mail
verify-link-gone = Ce lien ne fonctionne plus : il a été utilisé, il a expiré ou un e-mail plus récent l’a remplacé. Connectez-vous pour en recevoir un nouveau.
verified-title = Adresse e-mail confirmée
verified-message = Votre adresse e-mail est confirmée. Revenez à la page où vous avez créé votre compte, ou connectez-vous à l’application.

## Password reset

recover-title = Réinitialiser votre mot de passe
recover-intro = Saisissez l’adresse de votre compte { $tenant }. Nous y enverrons un lien pour choisir un nouveau mot de passe.
recover-submit = Envoyer le lien de réinitialisation
recover-back = Retour à la connexion
recover-sent = Si { $email } correspond à un compte, nous lui avons envoyé un lien pour choisir un nouveau mot de passe. Il fonctionne une seule fois, pendant 30 minutes.
recover-too-many = Trop de demandes de réinitialisation proviennent de votre réseau. Réessayez dans une heure.
recover-mail-limit = Plusieurs e-mails ont déjà été envoyés à cette adresse. Utilisez le plus récent ou patientez quelques minutes.
recover-link-gone = Ce lien de réinitialisation ne fonctionne plus : il a été utilisé, il a expiré (au bout de 30 minutes) ou un e-mail plus récent l’a remplacé. Demandez-en un nouveau.
new-password-title = Choisissez un nouveau mot de passe
new-password-for = pour <strong>{ $email }</strong>
new-password-label = Nouveau mot de passe
new-password-second-factor = Votre compte comporte une deuxième étape de connexion : elle vous sera demandée avant que le nouveau mot de passe ne prenne effet.
new-password-submit = Définir le mot de passe
recover-passkey-title = Ajouter une clé d'accès
recover-passkey-intro = Votre compte se connecte avec des clés d'accès. Créez-en une nouvelle sur cet appareil pour y revenir ; vos autres clés d'accès restent valables jusqu'à ce que vous les supprimiez.
recover-passkey-code-intro = Votre compte a une application d'authentification ou des codes de récupération : saisissez un code de l'un d'eux avant d'ajouter la nouvelle clé d'accès.
recover-passkey-code-label = Code de votre application d'authentification, ou code de récupération
recover-passkey-code-first = Saisissez d'abord un code de votre application d'authentification ou un code de récupération.
recover-passkey-unsupported = Pour ajouter une clé d'accès, il faut un navigateur qui prend en charge les clés d'accès et JavaScript. Ouvrez le lien sur l'appareil qui gardera votre nouvelle clé.

## Account security

security-heading = Connexion et sécurité
security-signed-in-as = Connecté en tant que <strong>{ $email }</strong>, avec : <span id="session-sign-in">{ $methods }</span>.
security-confirm-first = Pour ajouter ou supprimer une méthode de connexion, <a href="{ $url }">confirmez d’abord votre identité</a>.
security-authenticators = Vos authentificateurs
security-password-only = Vous vous connectez uniquement avec votre mot de passe. Ajoutez une application d’authentification ou une clé d’accès pour protéger votre compte.
security-added = ajouté le { $date }
security-last-used = dernière utilisation le { $date }
security-remove = Supprimer
security-add = Ajouter
security-add-app = Ajouter une application d’authentification
security-passkey-name = Nom de la clé d’accès
security-add-passkey = Ajouter une clé d’accès
security-new-recovery-codes = Créer de nouveaux codes de récupération
security-removed = L’authentificateur a été supprimé.
security-gone = Cet authentificateur a déjà été supprimé.
security-setup-expired = La configuration a expiré. Recommencez.
security-totp-wrong = Ce code est incorrect. Vérifiez l’heure de votre téléphone et réessayez.
security-totp-ready = Votre application d’authentification est configurée.
security-confirm-before-passkey = Confirmez d’abord votre identité (le lien sur cette page), puis ajoutez la clé d’accès.
security-passkeys-off = Les clés d’accès sont désactivées.
security-passkey-taken = Cette clé d’accès est déjà enregistrée.
factor-totp = Application d’authentification
factor-passkey = Clé d’accès
factor-recovery-codes = Codes de récupération ({ $left } restants)
totp-title = Application d’authentification
totp-heading = Ajouter une application d’authentification
totp-intro = Scannez ce code avec votre application d’authentification ou saisissez la clé à la main.
totp-qr-label = Code QR de la clé ci-dessous
totp-key = Clé :
totp-name = Nom
totp-code-label = Le code à 6 chiffres affiché par votre application
recovery-codes-title = Codes de récupération
recovery-codes-heading = Vos codes de récupération
recovery-codes-notice = Conservez ces codes en lieu sûr. Chacun vous connecte une fois si vous perdez votre authentificateur. Ils ne sont affichés que maintenant ; les anciens codes ne fonctionnent plus.
recovery-codes-done = Terminé

## Mails

mail-sign-in-subject = Votre code de connexion { $tenant }
mail-sign-in-text = Votre code de connexion est { $code }
mail-sign-in-link = Ou ouvrez ce lien dans le navigateur où vous avez demandé le code :
mail-sign-in-expiry = Ils expirent au bout de 10 minutes et ne fonctionnent qu’une fois.
mail-sign-in-not-you = Si vous n’avez pas essayé de vous connecter, ignorez ce message.
mail-sign-in-not-you-password = Si vous n’avez pas essayé de vous connecter, quelqu’un connaît peut-être votre mot de passe : changez-le.
mail-verify-subject = Confirmez votre adresse e-mail pour { $tenant }
mail-verify-text =
    Votre code de confirmation est { $code }

    Ou ouvrez ce lien pour confirmer votre adresse :
    { $link }

    Le code et le lien fonctionnent une seule fois, pendant 24 heures. Si vous n’avez pas créé de compte chez { $tenant }, ignorez ce message : rien ne se passera sans lui.
mail-reset-subject = Réinitialisez votre mot de passe { $tenant }
mail-reset-text =
    Ouvrez ce lien pour choisir un nouveau mot de passe pour votre compte { $tenant } :
    { $link }

    Il fonctionne une seule fois, pendant 30 minutes. Si vous ne l’avez pas demandé, ignorez ce message : votre mot de passe reste inchangé.
mail-taken-subject = Quelqu’un a essayé de créer un compte { $tenant } avec votre adresse
mail-taken-text =
    Quelqu’un a essayé de créer un compte chez { $tenant } avec cette adresse e-mail. Vous en avez déjà un, donc rien n’a été modifié.

    Si c’était vous, connectez-vous à l’application comme d’habitude ; si vous avez oublié votre mot de passe, réinitialisez-le ici :
    { $link }

    Si ce n’était pas vous, vous pouvez ignorer ce message.
mail-password-changed-subject = Votre mot de passe { $tenant } a été modifié
mail-password-changed-text =
    Le mot de passe de votre compte { $tenant } a été réinitialisé le { $when }, et tous les appareils qui y étaient connectés ont été déconnectés.

    Si ce n’était pas vous, réinitialisez immédiatement votre mot de passe et vérifiez les méthodes de connexion de votre compte :
    { $link }
mail-reset-passkey-subject = Retrouvez l'accès à votre compte { $tenant }
mail-reset-passkey-text =
    Ouvrez ce lien pour ajouter une nouvelle clé d'accès à votre compte { $tenant } :
    { $link }

    Il fonctionne une fois, pendant 30 minutes. Si vous ne l'avez pas demandé, ignorez ce message : rien ne change.
mail-passkey-recovered-subject = Une clé d'accès a été ajoutée à votre compte { $tenant }
mail-passkey-recovered-text =
    Une nouvelle clé d'accès a été ajoutée à votre compte { $tenant } avec un lien de réinitialisation le { $when }, et tous les appareils connectés ont été déconnectés.

    Si ce n'était pas vous, reprenez tout de suite votre compte et supprimez la clé d'accès que vous ne connaissez pas :
    { $link }
mail-factor-subject = Votre compte { $tenant } : { $change }
mail-factor-text =
    { $change } sur votre compte { $tenant } ({ $when } UTC{ $from }).

    Si c’était vous, vous n’avez rien à faire. Sinon, quelqu’un connaît votre mot de passe : changez-le immédiatement, supprimez ce que vous ne reconnaissez pas dans les paramètres de sécurité de votre compte et contactez { $tenant }.
mail-factor-from = , depuis { $ip }
change-totp-added = Une application d’authentification a été ajoutée
change-recovery-codes = De nouveaux codes de récupération ont été créés
change-factor-removed = Une méthode de connexion a été supprimée
change-passkey-added = Une clé d’accès a été ajoutée

mail-email-change-subject = Confirmez votre nouvelle adresse e-mail pour { $tenant }
mail-email-change-text =
    Ouvrez ce lien pour utiliser cette adresse pour votre compte { $tenant } :
    { $link }

    Il fonctionne une seule fois, pendant 24 heures. Si vous ne l’avez pas demandé, ignorez ce message : rien ne change sans lui.
mail-email-changed-subject = L’adresse e-mail de votre compte { $tenant } a été modifiée
mail-email-changed-text =
    Votre compte { $tenant } utilise désormais une autre adresse e-mail ({ $new }), et celle-ci ne permet plus de vous connecter.

    Si ce n’est pas vous, quelqu’un utilise peut-être votre compte : réinitialisez votre mot de passe avec votre nouvelle adresse, ou contactez le support de { $tenant }.
mail-invitation-subject = Vous êtes invité·e sur { $tenant }
mail-invitation-text =
    Vous êtes invité·e à créer votre compte { $tenant }. Ouvrez ce lien pour choisir votre mot de passe :
    { $link }

    Il fonctionne une seule fois, jusqu’au { $until }. Si vous ne souhaitez pas de compte, ignorez ce message.

## Account centre

account-nav-label = Compte
account-sign-out = Se déconnecter
account-not-set = Non renseigné
nav-overview = Vue d’ensemble
nav-overview-about = votre compte en un coup d’œil.
nav-profile = Profil
nav-profile-about = votre nom et vos informations.
nav-password = Mot de passe
nav-password-about = modifier ou définir votre mot de passe.
nav-security-about = clés d’accès, application d’authentification et codes de récupération.
nav-sessions = Sessions
nav-sessions-about = où vous êtes connecté, et vous y déconnecter.
nav-apps = Applications connectées
nav-apps-about = les applications que vous avez autorisées à utiliser votre compte.
nav-agents = Agents
nav-agents-about = les agents d’IA que vous avez autorisés à agir pour vous.
nav-privacy = Confidentialité
nav-privacy-about = vos données.
overview-title = Votre compte
overview-name-missing = Non renseigné. <a href="{ $url }">Ajouter votre nom</a>
overview-verified = { $email } (vérifiée)
overview-not-verified = { $email } (non vérifiée)
overview-what-you-can-do = Ce que vous pouvez faire ici
profile-verified = Cette adresse est vérifiée.
profile-not-verified = Cette adresse n’est pas encore vérifiée.
profile-email-confirm-first = Pour modifier votre adresse, <a href="{ $url }">confirmez d’abord votre identité</a>.
profile-new-email = Nouvelle adresse e-mail
profile-new-email-hint = Nous envoyons un lien à la nouvelle adresse ; le changement a lieu lorsque vous l’ouvrez.
profile-change-email = Modifier l’adresse e-mail
profile-details = Vos informations
profile-details-intro = Laissez un champ vide pour le supprimer. Les applications que vous autorisez à voir votre profil reçoivent ces informations.
profile-phone-hint = Avec l’indicatif du pays, par exemple +33123456789.
profile-birthdate-hint = Sous la forme année-mois-jour, par exemple 1990-12-31, ou seulement l’année.
profile-save = Enregistrer
profile-saved = Votre profil a été enregistré.
profile-email-sent = Nous avons envoyé un lien à la nouvelle adresse. Votre adresse change lorsque vous l’ouvrez.
profile-error-phone = Saisissez le numéro de téléphone avec + et l’indicatif du pays, par exemple +33123456789.
profile-error-birthdate = Saisissez la date de naissance sous la forme année-mois-jour, par exemple 1990-12-31, ou seulement l’année.
profile-error-locale = Choisissez une langue dans la liste.
profile-error-bidi = { $field } ne doit pas contenir de caractères invisibles qui changent le sens de l’écriture.
profile-error-control = { $field } ne doit pas contenir de caractères de contrôle (comme des sauts de ligne ou des tabulations).
profile-error-too-long = { $field } doit comporter au plus { $max } caractères.
email-change-same = C’est déjà votre adresse.
email-change-domain-refused = Les adresses de ce domaine ne peuvent pas être utilisées ici.
email-change-link-gone = Ce lien ne fonctionne plus : il a été utilisé, il a expiré ou une demande plus récente l’a remplacé. Refaites la demande depuis votre profil.
email-change-taken = Cette adresse appartient désormais à un autre compte.
email-change-changed-title = Adresse e-mail modifiée
email-change-changed = Votre compte utilise désormais { $email }. Connectez-vous avec cette adresse à partir de maintenant.
email-change-back-to-profile = Retour à votre profil
password-set-title = Définir un mot de passe
password-none-yet = Vous vous connectez aujourd’hui sans mot de passe. Vous pouvez en ajouter un comme autre moyen de connexion.
password-confirm-change = Pour modifier votre mot de passe, <a href="{ $url }">confirmez d’abord votre identité</a>.
password-confirm-set = Pour définir votre mot de passe, <a href="{ $url }">confirmez d’abord votre identité</a>.
password-rules-heading = Règles pour un nouveau mot de passe
password-rule-max = Au plus { $max } octets (à peu près autant de lettres).
password-rule-not-common = Pas l’un des mots de passe les plus utilisés : ce sont les premiers devinés.
password-rule-phrase = Une phrase de quelques mots sans rapport entre eux est facile à retenir et difficile à deviner.
password-signs-out = Modifier votre mot de passe vous déconnecte partout ailleurs, et les applications vous demanderont de vous reconnecter.
password-current = Mot de passe actuel
password-change = Modifier le mot de passe
password-changed = Votre mot de passe a été modifié. Vous avez été déconnecté partout ailleurs.
password-was-set = Votre mot de passe a été défini. Vous pouvez maintenant vous connecter avec.
password-wrong-current = Ce n’est pas votre mot de passe actuel.
password-enter-new = Saisissez un nouveau mot de passe.
password-new-too-short = Le nouveau mot de passe doit comporter au moins { $min } caractères.
password-new-too-long = Le nouveau mot de passe doit comporter au plus { $max } octets.
password-new-too-common = Le nouveau mot de passe est trop courant ; choisissez-en un autre.
password-new-refused = Le nouveau mot de passe : { $reason }.
sessions-intro = Où vous êtes connecté à { $tenant }. Une déconnexion prend effet à la page suivante de l’appareil concerné.
sessions-confirm-first = Pour déconnecter d’autres sessions, <a href="{ $url }">confirmez d’abord votre identité</a>.
sessions-this-device-browser = { $browser } (cet appareil)
sessions-this-device = Cet appareil
sessions-signed-in = Connexion
sessions-last-active = Dernière activité
sessions-signed-in-with = Connecté avec
sessions-sign-out-others = Se déconnecter partout ailleurs
sessions-none-elsewhere = Vous n’êtes connecté nulle part ailleurs.
sessions-ended = Cette session a été déconnectée.
sessions-ended-others = Vous avez été déconnecté partout ailleurs.
sessions-use-sign-out = Pour vous déconnecter de cet appareil, utilisez « Se déconnecter ».
sessions-gone = Cette session est déjà terminée.
browser-on = { $browser } sur { $system }
browser-any-on = Un navigateur sur { $system }
browser-any = Un navigateur
time-unknown = inconnue
sign-in-password-otp = Mot de passe et code à usage unique (application d’authentification ou code de récupération)
sign-in-password-email = Mot de passe et code par e-mail
sign-in-email = Code par e-mail
sign-in-password-second = Mot de passe et second facteur
sign-in-other = Autre méthode de connexion
apps-intro = Les applications que vous avez autorisées à utiliser votre compte { $tenant }. Retirer l’accès déconnecte l’application : elle devra vous redemander l’autorisation.
apps-confirm-first = Pour retirer l’accès d’une application, <a href="{ $url }">confirmez d’abord votre identité</a>.
apps-none = Aucune application n’a accès à votre compte.
apps-allowed = Autorisée le { $date }. Elle peut :
apps-remove = Retirer l’accès
apps-removed = L’accès de l’application a été retiré. Elle devra vous redemander l’autorisation.
apps-gone = Cette application n’a pas d’accès à retirer.
apps-launch-heading = Se connecter à une application
apps-open = Ouvrir { $app }
agents-intro = Les agents d’IA que vous avez autorisés à agir pour vous. Révoquer un agent l’arrête aussitôt, avec tous les jetons qu’il détient.
agents-confirm-first = Pour révoquer un agent, <a href="{ $url }">confirmez d’abord votre identité</a>.
agents-none = Vous n’avez autorisé aucun agent à agir pour vous.
agents-operated = Exploité par <strong>{ $owner }</strong>. Autorisé le { $date }.
agents-unknown-owner = inconnu
agents-revoked-on = Révoqué le { $date }.
agents-active-until = Actif jusqu’au { $date }.
agents-ended-on = Terminé le { $date }.
agents-revoke = Révoquer
agents-revoked = L’agent a été révoqué. Il ne peut plus agir pour vous.
agents-gone = Cet agent n’a pas d’accès à révoquer.
privacy-download = Télécharger mes données
privacy-download-text = Obtenez une copie de tout ce que { $tenant } conserve à votre sujet, dans un fichier (JSON). Elle est préparée en arrière-plan et conservée une heure.
privacy-delete = Supprimer mon compte
privacy-delete-text = Supprimer votre compte met fin à vos sessions, arrête les applications et agents que vous avez autorisés et efface tout ce que { $tenant } conserve à votre sujet. C’est irréversible.

## Connexion par d’autres fournisseurs (OpenID Connect en amont)
login-continue-with = Continuer avec { $provider }
login-link-notice = Un compte avec { $email } existe déjà. Connectez-vous-y une fois pour associer votre compte { $provider } ; ensuite, { $provider } vous connectera.
login-upstream-domain = L’adresse e-mail de votre compte { $provider } ne peut pas être utilisée ici.
login-upstream-no-account = Aucun compte ici n’est associé à votre compte { $provider }. Connectez-vous autrement.
login-upstream-no-email = { $provider } n’a pas communiqué d’adresse e-mail, et un compte ici en demande une.
login-upstream-disabled = Ce compte ne peut pas se connecter.
error-upstream-failed = La connexion avec ce fournisseur n’a pas abouti. Réessayez, ou connectez-vous autrement.
error-upstream-unknown = Cette option de connexion n’est pas disponible.
sign-in-upstream = Connexion par un autre fournisseur
sign-in-upstream-mfa = Connexion par un autre fournisseur avec plusieurs facteurs
security-linked-accounts = Comptes associés
security-linked = associé le { $date }
security-unlink = Dissocier
security-unlink-named = Dissocier { $provider }
security-unlinked = Le compte a été dissocié.
security-unlink-last = C’est votre seul moyen de connexion, il reste donc associé. Ajoutez d’abord un mot de passe ou une clé d’accès.
security-link-gone = Ce compte n’est plus associé.
purposes-title = Avant de continuer
purposes-intro = { $tenant } vous demande votre accord sur ce qui suit.
purposes-accept = J’accepte { $title }
purposes-read = Lire { $title }
purposes-required = Acceptez { $title } pour continuer.
privacy-consents = Vos consentements
privacy-consents-text = Ce que vous avez accepté, et quand. Vous pouvez retirer un consentement à tout moment : vos applications cessent de recevoir ce qu’il couvre dès leur prochain jeton.
privacy-granted = Accordé le { $date } (version { $version })
privacy-declined = Non accordé
privacy-withdraw = Retirer { $title }
privacy-grant = Accorder { $title }
privacy-needed = Nécessaire pour utiliser votre compte ; prend fin à la suppression de votre compte.
purpose-terms = Conditions d’utilisation
purpose-privacy = Politique de confidentialité
privacy-data = Vos données
privacy-preparing = Vos données sont en préparation. Cette page se met à jour d’elle-même ; vous pouvez aussi la recharger.
privacy-ready = Vos données sont prêtes.
privacy-save = Enregistrer mes données
privacy-export-gone = Ce lien de téléchargement a déjà servi ou a expiré. Demandez à nouveau vos données sur la page Confidentialité.
privacy-delete-heading = Votre compte
privacy-delete-confirm = Je comprends que mon compte et mes données sont effacés définitivement
privacy-delete-confirm-required = Cochez la case pour confirmer la suppression de votre compte.
privacy-deleted-title = Compte supprimé
privacy-deleted = Votre compte chez { $tenant } et vos données ont été effacés.
privacy-confirm-first = Pour télécharger vos données ou supprimer votre compte, <a href="{ $url }">confirmez d’abord votre identité</a>.
privacy-deletion-scheduled = Votre compte chez { $tenant } est fermé et sera effacé avec vos données le { $date }. Vous avez changé d'avis ? L'e-mail que nous vous avons envoyé contient un lien pour le garder d'ici là.
purpose-documents-version = Version { $version }

## Demandes d'approbation (authentification par canal arrière, account/approvals)
nav-approvals = Demandes d'approbation
nav-approvals-about = ce que des applications et des agents vous demandent d'approuver.
approvals-intro = Les applications et agents IA que vous utilisez peuvent vous demander d'approuver une action avant de la faire. N'approuvez que ce que vous attendez, et vérifiez que la référence est celle que l'application ou l'agent vous montre.
approvals-none = Aucune demande n'attend votre réponse.
approvals-live = Cette liste se met à jour d'elle-même.
approvals-from = { $client } demande votre approbation
approvals-agent = Un agent IA exploité par <strong>{ $owner }</strong>.
approvals-reference = Référence : <strong>{ $message }</strong>
approvals-details = La demande :
approvals-scopes = Accès demandé :
approvals-expires = Répondez avant le { $date }.
approvals-approve = Approuver
approvals-deny = Refuser
approvals-confirm-first = Pour approuver cette demande, <a href="{ $url }">confirmez d'abord votre identité</a>.
approvals-needs-passkey = Approuver cette demande nécessite une clé d'accès. <a href="{ $url }">Ajoutez une clé d'accès</a> d'abord.
approvals-approved = Vous avez approuvé la demande.
approvals-denied = Vous avez refusé la demande.
approvals-gone = Cette demande a déjà reçu une réponse, a expiré ou a été retirée.
mail-approval-reference = Référence : { $message }
mail-approval-subject = { $client } demande votre approbation
mail-approval-text =
    { $client } vous demande d'approuver une demande pour votre compte { $tenant } :

    { $what }

    Examinez-la, puis approuvez-la ou refusez-la avant le { $until } :
    { $link }

    Si vous n'attendiez pas cette demande, refusez-la.

## Garder un compte dont la suppression attend (account/keep)
keep-title = Garder votre compte
keep-intro = Vous avez demandé la suppression de votre compte { $tenant } ; il est fermé jusqu'à son effacement. Gardez-le, et il rouvre tel qu'il était.
keep-submit = Garder mon compte
keep-link-gone = Ce lien ne fonctionne plus : il a été utilisé, le compte a déjà été effacé ou gardé, ou un e-mail plus récent l'a remplacé.
kept-title = Votre compte est conservé
kept-message = Votre compte { $tenant } est de nouveau ouvert. Connectez-vous comme avant.
kept-sign-in = Se connecter
mail-keep-subject = Votre compte { $tenant } sera effacé le { $date }
mail-keep-text =
    Vous avez demandé la suppression de votre compte { $tenant }. Il est fermé et sera effacé le { $date }.

    Vous avez changé d'avis ? Ouvrez ce lien avant cette date pour le garder :
    { $link }

    Si vous n'avez rien demandé, gardez le compte avec ce lien et changez votre mot de passe.

## The administrators' console
console-nav = Console
console-tenants = Locataires
console-signed-in-as = Connecté en tant que { $who }
console-sign-out = Se déconnecter
console-tenants-intro = Les locataires que vous administrez.
console-no-tenants = Vous n’avez encore de rôle dans aucun locataire.
console-users = Utilisateurs
console-users-of = Utilisateurs de { $tenant }
console-search-label = Adresse e-mail, identifiant d’utilisateur ou début d’un nom
console-search = Rechercher
console-col-email = E-mail
console-col-name = Nom
console-col-status = Statut
console-status-active = Actif
console-status-disabled = Désactivé
console-no-users = Aucun utilisateur trouvé.
console-next-page = Page suivante
console-back-to-users = Retour aux utilisateurs
console-user-id = Identifiant d’utilisateur
console-email-verified = E-mail vérifiée
console-yes = Oui
console-no = Non
console-factors = Seconds facteurs et clés d’accès
console-no-factors = Aucun.
console-factors-hidden = Votre rôle ne montre pas les facteurs de cet utilisateur.
console-reset-factors = Réinitialiser les facteurs
console-reset-question = Supprimer tous les seconds facteurs et clés d’accès de { $email } ? La personne se connecte alors avec ce qui reste (mot de passe ou code par e-mail) et en configure de nouveaux.
console-needs-recent-sign-in = Cela demande une connexion datant de moins de 15 minutes.
console-sign-in-again = Se reconnecter
console-cancel = Annuler
console-factors-were-reset = Tous les seconds facteurs et clés d’accès de cet utilisateur ont été supprimés.
console-not-found = Introuvable.
console-forbidden = Votre rôle ne le permet pas.
console-form-expired = Ce formulaire a expiré. Rechargez la page et réessayez.
console-sign-in-failed = La connexion n’a pas pu aboutir. Ouvrez à nouveau la console pour recommencer.
console-actions = Actions
console-sign-out-everywhere = Déconnecter partout
console-disable = Désactiver le compte
console-enable = Activer le compte
console-sign-out-question = Mettre fin à toutes les sessions de { $email }, et aux connexions que gardent ses applications ? La personne devra se reconnecter partout.
console-disable-question = Désactiver le compte de { $email } ? La personne ne pourra plus se connecter avant sa réactivation et est déconnectée partout dès maintenant.
console-enable-question = Réactiver le compte de { $email } ? La personne pourra se connecter comme avant.
console-signed-out-everywhere = Cet utilisateur a été déconnecté partout.
console-was-disabled = Ce compte a été désactivé.
console-was-enabled = Ce compte a été activé.
console-tenant-nav = Locataire
console-overview = Vue d’ensemble
console-clients = Applications et agents
console-keys = Clés de signature
console-audit = Journal d’audit
console-administrators = Administrateurs
console-taken = Cette valeur est déjà utilisée.
console-secret-of = Nouveau secret de { $name }
console-secret-once = Copiez ce secret maintenant et conservez-le en lieu sûr : il n’est affiché que cette fois et ne pourra plus l’être.
console-secret = Secret client
console-secret-stored = J’ai enregistré le secret
console-type-to-confirm = Saisissez { $word } pour confirmer
console-new-tenant = Créer un locataire
console-create-tenant = Créer le locataire
console-tenant-id = Identifiant du locataire
console-tenant-id-hint = 1-63 lettres minuscules, chiffres et traits d’union ; il apparaît dans les URL du locataire et ne pourra plus être modifié.
console-tenant-name = Nom affiché
console-tenant-created = Le locataire a été créé avec ses clés de signature.
console-region = Région des données
console-issuer = Émetteur
console-created = Créé
console-delete-tenant = Supprimer le locataire
console-delete-tenant-question = Supprimer { $tenant } avec tous ses utilisateurs, applications, agents, clés et son journal d’audit ? C’est irréversible.
console-keys-of = Clés de signature de { $tenant }
console-keys-intro = Les jetons sont signés avec la clé active. La clé suivante est déjà publiée, si bien qu’une rotation ne perturbe pas les clients qui mettent les clés en cache ; une clé retirée reste publiée jusqu’à l’expiration des jetons qu’elle a signés.
console-col-kid = Identifiant de clé
console-col-alg = Algorithme
console-col-state = État
console-col-activated = Signe depuis
console-col-retired = Retirée
console-key-active = Active
console-key-next = Suivante
console-key-retired = Retirée
console-rotate-keys = Faire tourner les clés maintenant
console-rotate-keys-question = Faire tourner maintenant les clés de signature de { $tenant } ? Les clés suivantes commencent à signer et les clés actives sont retirées.
console-keys-rotated = La rotation des clés a été effectuée.
console-clients-of = Applications et agents de { $tenant }
console-no-clients = Aucune application ni aucun agent pour l’instant.
console-new-client = Enregistrer une application
console-new-client-intro = Une application qui envoie ici ses utilisateurs pour qu’ils se connectent. Les agents ont leur propre formulaire, avec leur exploitant, leurs clés et leurs plafonds.
console-create-client = Enregistrer l’application
console-client-name = Nom
console-client-type = Type
console-client-id = Identifiant client
console-client-id-hint = Facultatif : 3-128 caractères parmi A-Z, a-z, 0-9, -, ., _ et ~. S’il est laissé vide, un identifiant est généré.
console-redirect-uris = URI de redirection
console-redirect-uris-hint = Une par ligne, comparée à l’identique : https, http sur une adresse de bouclage, ou un schéma à usage privé pour une application native.
console-scopes = Portées
console-scopes-hint = Les portées maximales que cette application peut demander, séparées par des espaces.
console-jwks = Clés publiques (JWK Set)
console-first-party = Application propre (first-party) : ses utilisateurs ne sont pas invités à consentir
console-first-party-hint = Uniquement pour les applications propres au locataire. Les utilisateurs sont toujours interrogés lorsqu’elle le demande avec prompt=consent ou demande des détails d’autorisation.
console-new-agent = Enregistrer un agent
console-new-agent-intro = Un agent s’authentifie avec ses propres clés et n’agit pour un utilisateur que dans le cadre d’une délégation approuvée par cet utilisateur. Ses plafonds encadrent chaque jeton qu’il obtient.
console-create-agent = Enregistrer l’agent
console-save-client = Enregistrer les modifications
console-edit-client = Modifier l’application
console-edit-agent = Modifier l’agent et ses plafonds
console-client-saved = Les modifications ont été enregistrées.
console-agent-description-hint = Affiché aux utilisateurs lorsqu’on leur demande d’approuver une délégation. 500 caractères au maximum.
console-agent-operator-kind = Exploité par
console-operator-client = Une application de ce locataire
console-operator-user = Un utilisateur de ce locataire
console-agent-operator-id = Identifiant de l’exploitant
console-agent-operator-hint = L’identifiant client de l’application, ou l’identifiant d’utilisateur, qui exploite l’agent.
console-agent-jwks-hint = Les clés publiques de l’agent sous forme de JWK Set (JSON). Il signe avec elles ses assertions client (private_key_jwt) : un agent a des clés, pas de mot de passe.
console-agent-needs-keys = Un agent s’authentifie avec ses clés : indiquez son JWK Set.
console-agent-scopes-hint = Les portées qu’il peut détenir au maximum, séparées par des espaces.
console-agent-redirect-uris-hint = Facultatif : où revient le parcours d’approbation lorsque l’agent demande une délégation à un utilisateur par le flux du code. Une par ligne, comparée à l’identique.
console-audiences-hint = Facultatif : les API (URI de ressource) pour lesquelles il peut obtenir des jetons, une par ligne.
console-max-token-lifetime-hint = En secondes, 30-3600.
console-max-chain-depth-hint = Le nombre maximal d’agents dans une chaîne de délégation qui se termine par celui-ci, 1-5.
console-delegation-lifetime-hint = En secondes, de 60 à 31536000 (365 jours) ; 2592000 correspond à 30 jours.
console-dpop = Preuve de possession (DPoP)
console-dpop-required = Obligatoire : chaque jeton est lié à la clé de l’agent
console-dpop-optional = Non obligatoire
console-whole-number = Saisissez un nombre entier.
console-rotation-schedule = Calendrier de rotation
console-rotation-by-hand = La rotation des clés n’a lieu que lorsqu’un administrateur l’effectue.
console-rotation-scheduled = La rotation des clés a lieu tous les { $days } jours. Prochaine rotation : { $next }.
console-rotate-every = Intervalle de rotation (jours)
console-rotate-every-hint = 7-730 jours. Chaque rotation publie la clé suivante une période entière avant qu’elle ne commence à signer. Laissez vide pour n’effectuer la rotation que manuellement.
console-save-schedule = Enregistrer le calendrier
console-schedule-saved = Le calendrier de rotation a été enregistré.
console-jwks-hint = Facultatif, pour une application confidentielle qui signe ses requêtes (private_key_jwt) au lieu d’utiliser un secret : son JWK Set en JSON.
console-col-kind = Catégorie
console-kind-agent = Agent d’IA
console-kind-saml = Application SAML
console-kind-confidential = Application confidentielle
console-kind-public = Application publique
console-back-to-clients = Retour aux applications et agents
console-auth-method = Authentification
console-grant-types = Types d’octroi
console-key-id = Clé { $kid }
console-agent = Agent
console-agent-description = Ce qu’il fait
console-agent-operator = Exploitant
console-operated-by-user = l’utilisateur { $id }
console-operated-by-client = l’application { $id }
console-status-suspended = Suspendu
console-ceilings = Plafonds
console-allowed-audiences = Services pour lesquels il peut obtenir des jetons
console-max-token-lifetime = Durée de vie maximale d’un jeton
console-max-chain-depth = Chaîne d’agents la plus longue
console-delegation-lifetime = Durée de la délégation
console-seconds = { $n } secondes
console-rotate-secret = Émettre un nouveau secret
console-rotate-secret-question = Émettre un nouveau secret pour { $name } ? Le secret actuel cesse aussitôt de fonctionner.
console-secret-rotated = Un nouveau secret a été émis.
console-suspend-agent = Suspendre l’agent
console-suspend-question = Suspendre { $name } ? Il ne pourra plus obtenir de jetons jusqu’à sa réactivation ; ses délégations restent en place.
console-agent-suspended = L’agent a été suspendu.
console-resume-agent = Réactiver l’agent
console-resume-question = Réactiver { $name } ? Il pourra de nouveau obtenir des jetons dans le cadre de ses délégations.
console-agent-resumed = L’agent a été réactivé.
console-delete-client = Supprimer
console-delete-client-question = Supprimer { $name } ? Il ne pourra plus connecter personne ni obtenir de jetons ; les délégations d’un agent prennent fin avec lui.
console-client-deleted = La suppression a été effectuée.
console-audit-of = Journal d’audit de { $tenant }
console-verify-chain = Vérifier la chaîne
console-chain-intact = La chaîne est intacte : { $count } événements vérifiés.
console-chain-broken = La chaîne est rompue : { $why }
console-audit-filters = Filtrer les événements
console-agent-or-client = Agent ou application
console-event-type = Type d’événement
console-event-type-hint = Par exemple token.exchanged ou user.signed_in.
console-since = Du (jour)
console-until = Au (jour)
console-not-a-day = Saisissez un jour au format YYYY-MM-DD.
console-filter = Filtrer
console-no-events = Aucun événement ne correspond.
console-events = Événements
console-col-time = Heure
console-col-reason = Motif
console-denied = refusé
console-administrators-of = Administrateurs de { $tenant }
console-add-administrator = Ajouter un administrateur
console-add-administrator-intro = Attribuez à une personne un rôle dans ce locataire à partir de son adresse e-mail. Une adresse sans compte administrateur en reçoit un, ainsi qu’un e-mail avec un lien pour configurer sa façon de se connecter.
console-role = Rôle
console-no-administrators = Personne n’a de rôle dans ce locataire.
console-col-who = Qui
console-col-since = Depuis
console-remove-role = Retirer
console-remove-role-of = Retirer le rôle de { $who }
console-administrator-added = Le rôle a été attribué.
console-administrator-invited = Le rôle a été attribué, et un e-mail a été envoyé au nouvel administrateur avec un lien pour configurer sa façon de se connecter.
console-administrator-removed = Le rôle a été retiré.
console-service-account = compte de service { $id }
console-new-user = Créer un utilisateur
console-create-user = Créer l’utilisateur
console-edit-user = Modifier le profil
console-save = Enregistrer
console-initial-password = Mot de passe
console-initial-password-hint = Facultatif. S’il est laissé vide, l’utilisateur reçoit par e-mail un lien pour configurer sa façon de se connecter.
console-user-created = L’utilisateur a été créé.
console-user-saved = Les modifications ont été enregistrées.
console-send-reset = Envoyer un e-mail de réinitialisation du mot de passe
console-send-verification = Envoyer un e-mail de vérification
console-mail-sent = L’e-mail a été envoyé.
console-sessions = Sessions
console-no-sessions = Aucune session.
console-col-how = Connecté avec
console-col-browser = Navigateur
console-end-session = Mettre fin
console-end-session-from = Mettre fin à la session du { $since }
console-session-ended = La session a pris fin.
console-consents = Consentements
console-no-consents = Aucun consentement.
console-withdraw-consent = Retirer
console-withdraw-consent-to = Retirer le consentement accordé à { $client }
console-consent-withdrawn = Le consentement a été retiré ; l’application le redemandera la prochaine fois.
console-delegations = Délégations à des agents
console-no-delegations = Aucune délégation.
console-col-until = Jusqu’au
console-status-revoked = Révoqué
console-status-expired = Expiré
console-revoke-delegation = Révoquer
console-revoke-delegation-to = Révoquer la délégation à { $agent }
console-delegation-revoked = La délégation a été révoquée ; les jetons que l’agent en a obtenus cessent aussitôt de fonctionner.
console-identities = Identités associées
console-no-identities = Aucune identité associée.
console-settings = Paramètres
console-settings-read-only = Votre rôle affiche ces paramètres sans permettre de les modifier.
console-locale-default = Par défaut (anglais)
console-signup-mode = Inscription
console-signup-closed = Fermée : les comptes sont créés par les administrateurs
console-signup-open = Ouverte : tout le monde peut s’inscrire
console-signup-invite = Sur invitation uniquement
console-require-verification = Les nouveaux inscrits doivent vérifier leur adresse
console-require-verification-hint = Un compte dont l’adresse n’est pas vérifiée ne peut pas terminer une connexion à une application ; il est invité à consulter ses e-mails.
console-allowed-domains = Inscription uniquement depuis ces domaines
console-allowed-domains-hint = Facultatif : un domaine par ligne ; les sous-domaines sont inclus. Vide : tous les domaines.
console-blocked-domains = Inscription refusée depuis ces domaines
console-domains-hint = Facultatif : un domaine par ligne ; les sous-domaines sont inclus.
console-terms-url = Conditions d’utilisation (URL)
console-privacy-url = Politique de confidentialité (URL)
console-documents-hint = Facultatif, https. Le formulaire d’inscription demande alors de les accepter, et l’acceptation est enregistrée.
console-login-password = Les utilisateurs peuvent se connecter avec un mot de passe
console-login-passkey = Les utilisateurs peuvent se connecter avec une clé d’accès
console-login-email-code = Les utilisateurs peuvent se connecter avec un code envoyé par e-mail
console-refuse-common = Refuser les mots de passe courants et divulgués
console-session-lifetime = Durée de vie de la session
console-session-lifetime-hint = En secondes, de 300 (5 minutes) à 34560000 (400 jours), quelle que soit l’utilisation de la session.
console-session-idle = Délai d’inactivité de la session
console-session-idle-hint = En secondes, de 60 (1 minute) à 2592000 (30 jours) sans utilisation.
console-mfa = Second facteur
console-mfa-never = Uniquement quand une application le demande
console-mfa-risk = Quand la politique de risque ou une application le demande
console-mfa-always = À chaque connexion
console-password-min-length = Longueur minimale du mot de passe
console-primary-color = Couleur principale
console-primary-color-hint = Au format #rrggbb. Un texte blanc sur cette couleur doit atteindre un rapport de contraste de 4.5:1 ; une couleur plus claire est refusée.
console-logo-uri = Logo (URL https)
console-default-locale = Langue par défaut
console-risk-policy = Politique de risque (JSON)
console-risk-policy-hint = Règles, points et seuils comme dans docs/security.md. Vide : la politique par défaut.
console-branding-preview = Aperçu des pages de connexion
console-branding-preview-label = L’apparence des pages de connexion de { $tenant }
console-sample-button = Continuer
console-sample-link = Un lien
console-simulator = Ce qui se passerait
console-simulator-intro = Essayez la politique de risque sur une connexion imaginaire par mot de passe : depuis une adresse, avec un navigateur, par un utilisateur (ses connexions précédentes comptent). Rien n’est enregistré ; aucune tentative échouée n’est comptée.
console-sim-ip = Adresse IP
console-sim-ua = Navigateur (User-Agent)
console-sim-user = Utilisateur (adresse e-mail ou identifiant)
console-sim-device = Appareil
console-sim-device-new = Un navigateur qu’il n’a jamais utilisé
console-sim-device-known = Un navigateur avec lequel il s’est déjà connecté
console-sim-policy = Politique à essayer
console-sim-policy-hint = Facultatif : une politique de risque en JSON à essayer à la place de celle enregistrée.
console-sim-run = Voir ce qui se passerait
console-sim-answer = La réponse
console-sim-outcome = Résultat
console-sim-allow = Autorisé
console-sim-deny = Refusé
console-sim-step-up = Un second facteur est demandé (niveau { $acr })
console-sim-score = Score de risque
console-sim-place = Emplacement
console-sim-no-rules = Aucune règle ne s’est déclenchée.
console-sim-rules = Règles déclenchées
console-sim-rule = Règle
console-sim-points = Points
console-sim-detail = Ce qui a été constaté
console-not-an-address = Saisissez une adresse IPv4 ou IPv6.
console-no-such-user = Aucun utilisateur de ce locataire n’a cette adresse ou cet identifiant.
console-back-to-overview = Retour à la vue d’ensemble
console-activity = Activité
console-last-day = Les 24 dernières heures
console-last-week = Les 7 derniers jours
console-stat-sign-ins = Connexions
console-stat-step-ups = Second facteur demandé par la politique de risque
console-stat-risk-denials = Connexions refusées par la politique de risque
console-stat-sign-ups = Inscriptions
console-stat-issued = Jetons émis
console-stat-refreshed = Jetons renouvelés
console-stat-exchanged = Jetons échangés (agents)
console-stat-refused = Demandes de jetons refusées
console-events-by-type = { $period } : événements par type
console-tokens-by-grant = { $period } : demandes de jetons par type d’autorisation
console-grant = Type d’autorisation
console-grant-answered = Jetons émis
console-grant-refused = Refusées
console-grant-code = Code d’autorisation
console-grant-refresh = Jeton de rafraîchissement
console-grant-client-credentials = Identifiants du client
console-grant-exchange = Échange de jetons
console-grant-device = Autorisation d’appareil
console-grant-jwt-bearer = Porteur JWT (chaînage d’identité)
console-grant-ciba = Authentification par canal de retour (CIBA)
console-grant-other = Autre, ou non enregistré
console-allowed = Autorisé
console-stepped-up = Second facteur demandé
console-denied-col = Refusé
console-resources = API
console-resources-of = API de { $tenant }
console-new-resource = Enregistrer une API
console-new-resource-intro = Une API (un serveur de ressources) pour laquelle des jetons d’accès sont émis. Les clients la demandent par son identifiant (RFC 8707), et ses jetons portent cet identifiant comme audience.
console-create-resource = Enregistrer l’API
console-resource-id = Identifiant court
console-resource-id-hint = 1-63 caractères parmi a-z, 0-9 et -, utilisé dans les URL de gestion. Non modifiable une fois l’API enregistrée.
console-identifier-hint = Une URI absolue, par exemple https://api.example.com/orders : ce que demandent les clients, et l’audience des jetons de l’API.
console-resource-scopes-hint = Les portées qu’elle définit, séparées par des espaces, par exemple orders:read orders:write. Ses jetons n’en portent aucune autre.
console-resource-lifetime-hint = En secondes, 60-86400.
console-introspection-none = Non : elle vérifie elle-même les jetons
console-introspection-secret = Oui, avec un secret (affiché une seule fois)
console-resource-added = L’API a été enregistrée.
console-resource-deleted = L’API a été supprimée.
console-delete-resource = Supprimer l’API
console-delete-resource-question = Supprimer l’API { $name } ? Les clients ne pourront plus obtenir de jetons pour elle.
console-resources-intro = Les API pour lesquelles des jetons d’accès sont émis (indicateurs de ressource RFC 8707). L’introspection avec des clés et les modifications d’une API enregistrée passent par l’API de gestion, à l’adresse { $path }.
console-no-resources = Aucune API n’est enregistrée.
console-identifier = Identifiant
console-token-lifetime = Durée de vie du jeton
console-introspects = Utilise l’introspection
console-providers = Fournisseurs d’identité
console-providers-of = Fournisseurs d’identité de { $tenant }
console-providers-intro = Les fournisseurs par lesquels les utilisateurs de ce locataire peuvent se connecter : réseaux sociaux et fournisseurs d’entreprise, OpenID Connect ou SAML. Les fournisseurs OpenID Connect s’ajoutent ici ; les fournisseurs SAML, ainsi que tous les autres paramètres, passent par l’API de gestion, à l’adresse { $path }.
console-redirect-uri-is = L’URI de redirection à enregistrer auprès de chaque fournisseur :
console-new-provider = Ajouter un fournisseur d’identité
console-new-provider-intro = Les utilisateurs de ce locataire pourront alors se connecter avec leur compte chez ce fournisseur. Enregistrez d’abord auprès du fournisseur l’URI de redirection indiquée sur la liste des fournisseurs.
console-create-provider = Ajouter le fournisseur d’identité
console-provider-kind = Fournisseur
console-provider-name-hint = Le texte de son bouton sur la page de connexion.
console-provider-id = Identifiant
console-provider-id-hint = 1-32 caractères parmi a-z, 0-9 et -. Non modifiable une fois le fournisseur ajouté.
console-provider-issuer-hint = Pour OpenID Connect : l’émetteur du fournisseur, dont les paramètres sont obtenus par découverte. Google, Microsoft et GitHub ont le leur : laissez ce champ vide.
console-provider-client-id-hint = L’identifiant client de ce locataire chez le fournisseur.
console-provider-secret = Secret client
console-provider-secret-hint = Le secret client de ce locataire chez le fournisseur. Il est stocké chiffré et ne sera plus jamais affiché.
console-home-realm-hint = Facultatif : les adresses de ces domaines sont envoyées directement à ce fournisseur, un domaine par ligne.
console-provider-create-users = Lors d’une première connexion
console-provider-create-yes = Créer un compte pour un nouvel utilisateur
console-provider-create-no = Seulement les utilisateurs qui ont déjà un compte
console-provider-added = Le fournisseur d’identité a été ajouté.
console-provider-deleted = Le fournisseur d’identité a été retiré.
console-delete-provider = Retirer le fournisseur d’identité
console-delete-provider-question = Retirer { $name } ? Son bouton disparaît de la page de connexion, et les comptes associés par son intermédiaire sont dissociés : leurs utilisateurs se connectent autrement.
console-delete-of = Supprimer { $name }
console-no-providers = Aucun fournisseur d’identité n’est configuré.
console-home-realm = Redirigés ici selon l’adresse
