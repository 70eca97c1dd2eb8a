# Las páginas alojadas, sus mensajes de error y los correos de ciam, en español.
# Trato de «tú». El marcado de los mensajes (<strong>, <a>) se conserva.

## Every page

language-switcher = Idioma
error-prefix = Error:
field-email = Correo electrónico
field-password = Contraseña
field-code = Código
action-verify = Verificar
action-continue = Continuar
action-allow = Permitir
action-deny = Denegar
action-sign-in = Iniciar sesión
action-confirm = Confirmar
close-window = Ya puedes cerrar esta ventana.
check-email-title = Revisa tu correo

## Errors

error-title = Error
error-heading = Algo salió mal
error-return = Vuelve a la aplicación de la que venías e inténtalo de nuevo.
error-unavailable = El servicio no está disponible en este momento. Vuelve a intentarlo en breve.
error-unavailable-short = El servicio no está disponible en este momento.
error-try-again-shortly = Vuelve a intentarlo en breve.
error-unknown-tenant = Inquilino desconocido.
error-unknown-client = Aplicación desconocida.
error-saml-request = No se puede aceptar la solicitud de inicio de sesión de esta aplicación. Vuelva a la aplicación e inténtelo de nuevo.
error-invalid-authorization-request = Solicitud de autorización no válida.
error-invalid-redirect-uri = Dirección de redirección no válida.
error-invalid-form = Formulario no válido.
error-flow-expired = Esta página de inicio de sesión ha caducado o se abrió en otro navegador. Vuelve a la aplicación y empieza de nuevo.
error-form-expired = El formulario ha caducado. Vuelve atrás e inténtalo de nuevo.
error-form-expired-reload = El formulario ha caducado. Recarga la página.
error-page-expired-reload = La página ha caducado. Recárgala.
error-sign-in-page-expired = Esta página de inicio de sesión ha caducado.
error-choose-allow-or-deny = Elige «Permitir» o «Denegar».
error-choose-offered-method = Elige uno de los métodos ofrecidos.
error-too-many-attempts = Demasiados intentos. Espera unos minutos y vuelve a intentarlo.
error-wrong-code = Ese código no es correcto. Inténtalo de nuevo.
error-invalid-email = Introduce una dirección de correo como nombre@example.com.
error-mail-limit = Ya se enviaron varios códigos. Usa el más reciente o espera unos minutos.
error-sign-in-blocked = Este inicio de sesión se bloqueó para protegerte. Inténtalo más tarde o desde otra red.
error-sign-up-blocked = Este registro se bloqueó para protegerte. Inténtalo más tarde o desde otra red.
error-stronger-sign-in = Esta aplicación exige un inicio de sesión más seguro del que tu cuenta puede ofrecer. Añade una llave de acceso en la configuración de seguridad de tu cuenta e inténtalo de nuevo.
error-sign-in-refused = Inicio de sesión rechazado.
error-logout-invalid = La solicitud de cierre de sesión no es válida.
error-logout-needs-hint = post_logout_redirect_uri necesita un id_token_hint.
error-logout-unregistered = post_logout_redirect_uri no está registrado.

## Sign-in

login-title = Iniciar sesión
login-heading = Inicia sesión en { $tenant }
login-continue-to = para continuar a <strong>{ $client }</strong>
login-testing-notice = Inquilino de desarrollo: a los inicios de sesión de scripts y navegadores automatizados no se les pide confirmar su identidad. No lo uses para cuentas reales.
login-forgot-password = ¿Olvidaste tu contraseña?
login-code-label = O recibe un código de inicio de sesión por correo
login-email-me-a-code = Enviarme un código por correo
login-passkey = Iniciar sesión con una llave de acceso
login-new-here = ¿Eres nuevo?
login-create-account = Crear cuenta
login-legacy-unavailable = No se puede comprobar tu contraseña en este momento. Inténtalo de nuevo en unos minutos.
login-incorrect = Correo electrónico o contraseña incorrectos.
login-use-passkey = Inicia sesión con una llave de acceso.
login-purpose-device = conectar un dispositivo
login-purpose-account = la configuración de tu cuenta

## Sign-in codes by email

email-code-intro = Si <strong>{ $email }</strong> tiene una cuenta, le hemos enviado un código de inicio de sesión. Caduca en 10 minutos.
email-code-label = Código de inicio de sesión
email-code-wrong = Ese código no es correcto o ha caducado. Revisa el correo más reciente o pide un código nuevo.
email-code-disabled = Los códigos de inicio de sesión por correo no están activados.
email-code-invalid-address = Introduce una dirección de correo válida.
email-link-other-browser = Abre este enlace en el navegador donde lo pediste, o escribe allí el código del correo. Los enlaces solo funcionan en ese navegador, durante 10 minutos.
email-link-gone = Este enlace de inicio de sesión ya se usó, caducó o se envió uno más reciente. Usa el correo más reciente.

## Second step

mfa-title = Confirma que eres tú
mfa-passkey-required = Esta aplicación pide una llave de acceso.
mfa-one-more-step = Un paso más para iniciar sesión.
mfa-use-passkey = Usar una llave de acceso
mfa-totp-label = Código de tu aplicación de autenticación
mfa-email-code-label = Código que enviamos a tu correo
mfa-use-recovery-code = Usar un código de recuperación
mfa-recovery-code-label = Código de recuperación
mfa-no-second-step = No hay ningún inicio de sesión esperando un segundo paso.
passkey-request-expired = La solicitud de la llave de acceso caducó o ya se usó. Empieza de nuevo.
passkey-unavailable = Las llaves de acceso no están disponibles en este servidor (necesita una dirección https o localhost).
passkey-sign-in-disabled = El inicio de sesión con llave de acceso no está activado.
passkey-not-registered = Esa llave de acceso no está registrada aquí.
passkey-not-accepted = Esa llave de acceso no se aceptó.
passkey-nothing-waiting = No hay ningún inicio de sesión en espera.

## Consent

consent-title = Permitir el acceso
consent-title-agent = Dejar que un agente de IA actúe por ti
consent-heading = ¿Permitir el acceso a { $client }?
consent-asks = <strong>{ $client }</strong> pide:
consent-agent-heading = ¿Dejar que { $client } actúe en tu nombre?
consent-agent-notice = <strong>{ $client } es un agente de IA.</strong> Si lo permites, podrá actuar por ti por su cuenta, sin volver a preguntarte, dentro de los límites indicados abajo, hasta el { $until } o hasta que lo revoques.
consent-agent-operator = Operado por <strong>{ $owner }</strong>.
consent-agent-may = Podrá:
consent-agent-services = en estos servicios:
consent-agent-ends = El acceso termina el <strong>{ $until }</strong>. Hasta entonces, puedes revocarlo tú mismo en cualquier momento desde tu cuenta, en <a href="{ $manage }">{ $manage }</a>: el agente se detiene al instante. La aplicación que lo conectó también puede terminarlo.
consent-unverified = <strong>Aplicación no verificada.</strong> El nombre «{ $client }» lo dio la propia aplicación y no se ha comprobado. Se identifica como <strong>{ $host }</strong>. Permite el acceso solo si confías en ese sitio.
consent-former-user = un antiguo usuario
consent-returns-to = Después volverás a <strong>{ $host }</strong>.
consent-details = Solo para esta solicitud, exactamente:
scope-openid = Saber quién eres
scope-profile = Ver tu nombre y los datos de tu perfil
scope-email = Ver tu dirección de correo electrónico
scope-phone = Ver tu número de teléfono
scope-address = Ver tu dirección postal
scope-offline-access = Mantener el acceso mientras no la estás usando
scope-other = Usar el permiso «{ $scope }»

## Devices

device-title = Conectar un dispositivo
device-intro = Introduce el código que aparece en tu dispositivo o en tu terminal.
device-compare-code = Permítelo solo si el dispositivo o terminal que estás conectando muestra el código <strong>{ $code }</strong>.
device-too-many = Demasiados códigos incorrectos. Espera 15 minutos y vuelve a intentarlo.
device-wrong-code = Ese código no es válido: revísalo e inténtalo de nuevo. Los códigos caducan a los 10 minutos.
device-connected-title = Dispositivo conectado
device-connected = { $client } ya está conectado. Vuelve a tu dispositivo.
device-denied-title = Acceso denegado
device-denied = { $client } no ha recibido acceso.

## Sign-out

logout-title = Cerrar sesión
logout-heading = ¿Cerrar sesión en { $tenant }?
logout-submit = Cerrar sesión
logout-done = Has cerrado la sesión

## Sign-up

signup-title = Crear cuenta
signup-heading = Crea tu cuenta de { $tenant }
signup-optional = (opcional)
signup-honeypot = Deja este campo vacío
signup-accept-both = Acepto las <a href="{ $terms }" target="_blank" rel="noopener">condiciones del servicio</a> y el <a href="{ $privacy }" target="_blank" rel="noopener">aviso de privacidad</a>
signup-accept-terms = Acepto las <a href="{ $terms }" target="_blank" rel="noopener">condiciones del servicio</a>
signup-accept-privacy = Acepto el <a href="{ $privacy }" target="_blank" rel="noopener">aviso de privacidad</a>
signup-submit = Crear cuenta
signup-have-account = ¿Ya tienes una cuenta?
signup-closed = Aquí no se crean cuentas. Pide acceso al responsable de la aplicación.
signup-invitation-gone = Esta invitación ya no funciona: se usó, se retiró o caducó. Pide una nueva a quien te invitó.
signup-too-many = Se crearon demasiadas cuentas desde tu red. Vuelve a intentarlo dentro de una hora.
signup-not-ascii = Usa una dirección formada solo por letras latinas simples, dígitos y signos de puntuación.
signup-domain-refused = Aquí no se pueden crear cuentas con direcciones de este dominio.
signup-invited-taken = Esta dirección ya tiene una cuenta: inicia sesión con ella.
signup-captcha-failed = Confirma que eres una persona: completa la comprobación que hay encima del botón.
signup-captcha-unavailable = No se pudo completar la comprobación de que eres una persona. Inténtalo de nuevo en un momento.
signup-accept-required = Acepta las condiciones para crear una cuenta.
signup-field-required = Introduce { $field }.
signup-field-invalid = { $field }: { $reason }.
password-rules = Al menos { $min } caracteres.
password-rules-breached = Al menos { $min } caracteres. Se rechazan las contraseñas que aparecen en listas de contraseñas filtradas.
password-too-short = La contraseña debe tener al menos { $min } caracteres.
password-too-long = La contraseña debe tener como máximo { $max } bytes.
password-too-common = La contraseña es demasiado común; elige otra.
password-refused = La contraseña se rechazó: { $reason }.
claim-name = Nombre
claim-given-name = Nombre de pila
claim-family-name = Apellidos
claim-phone-number = Número de teléfono
claim-birthdate = Fecha de nacimiento
claim-locale = Idioma
claim-field = Este campo
# Con el posesivo, para «Introduce { $field }.»
claim-name-lower = tu nombre
claim-given-name-lower = tu nombre de pila
claim-family-name-lower = tus apellidos
claim-phone-number-lower = tu número de teléfono
claim-birthdate-lower = tu fecha de nacimiento
claim-locale-lower = tu idioma
claim-invalid-birthdate = usa el formato AAAA-MM-DD o AAAA
claim-invalid-phone-number = usa el formato internacional, por ejemplo +34912345678
claim-invalid-locale = indica un código de idioma, por ejemplo es o pt-BR
field-required = no puede estar vacío
field-too-long = debe tener como máximo { $max } caracteres
field-control-characters = no puede contener caracteres de control
field-bidi-characters = no puede contener caracteres de formato bidireccional
field-between = debe estar entre { $min } y { $max }
field-between-seconds = debe estar entre { $min } y { $max } segundos
field-between-days = debe estar entre { $min } y { $max } días
field-https-url = debe ser una URL https absoluta
field-colour = debe ser un color como #1a2b3c
field-sign-in-method = debe ofrecer al menos una forma de iniciar sesión: contraseña, llave de acceso o código por correo
field-domain-name = debe ser un nombre de dominio en minúsculas como example.com (uno internacionalizado en su forma xn--)
field-scope-token = un scope tiene 1-128 caracteres ASCII imprimibles sin espacios, '"' ni '\' (RFC 6749 §3.3)
field-redirect-not-https = las URI de redirección http solo se permiten en loopback; usa https
field-redirect-fragment = una URI de redirección no puede contener un fragmento (RFC 6749 §3.1.2)
field-redirect-wildcard = una URI de redirección no puede contener comodines; se compara exactamente
field-redirect-not-absolute = una URI de redirección debe ser una URI absoluta

## Proving an address

check-mail-intro = Hemos enviado un enlace y un código a <strong>{ $email }</strong> para confirmar que la dirección es tuya. Abre el enlace en este navegador o introduce el código aquí. Ambos funcionan una sola vez, durante 24 horas. ¿Abriste el enlace en otro dispositivo? Recarga esta página.
check-mail-no-mail = ¿No ha llegado nada después de unos minutos? Revisa la carpeta de correo no deseado, o
check-mail-resend = Reenviar
check-mail-wrong-code = Ese código no es correcto o ya no funciona. Revisa el correo más reciente o pide uno nuevo.
check-mail-resent = Hemos enviado un correo nuevo. Los enlaces y códigos anteriores ya no funcionan.
verify-title = Confirma tu dirección de correo
verify-intro = Confirma que esta dirección pertenece a tu cuenta de { $tenant }.
verify-submit = Confirmar la dirección de correo
verify-link-gone = Este enlace ya no funciona: se usó, caducó o lo sustituyó un correo más reciente. Inicia sesión para recibir uno nuevo.
verified-title = Dirección de correo confirmada
verified-message = Tu dirección de correo está confirmada. Vuelve a la página donde creaste tu cuenta o inicia sesión en la aplicación.

## Password reset

recover-title = Restablece tu contraseña
recover-intro = Introduce la dirección de tu cuenta de { $tenant }. Te enviaremos un enlace para elegir una contraseña nueva.
recover-submit = Enviar enlace de restablecimiento
recover-back = Volver al inicio de sesión
recover-sent = Si { $email } tiene una cuenta, le hemos enviado un enlace para elegir una contraseña nueva. Funciona una sola vez, durante 30 minutos.
recover-too-many = Llegaron demasiadas solicitudes de restablecimiento desde tu red. Vuelve a intentarlo dentro de una hora.
recover-mail-limit = Ya se enviaron varios correos a esta dirección. Usa el más reciente o espera unos minutos.
recover-link-gone = Este enlace de restablecimiento ya no funciona: se usó, caducó (a los 30 minutos) o lo sustituyó un correo más reciente. Pide uno nuevo.
new-password-title = Elige una contraseña nueva
new-password-for = para <strong>{ $email }</strong>
new-password-label = Contraseña nueva
new-password-second-factor = Tu cuenta tiene un segundo paso de inicio de sesión: se te pedirá antes de que la contraseña nueva entre en vigor.
new-password-submit = Establecer contraseña
recover-passkey-title = Añadir una llave de acceso
recover-passkey-intro = Tu cuenta inicia sesión con llaves de acceso. Crea una nueva en este dispositivo para volver a entrar; tus otras llaves de acceso siguen funcionando hasta que las elimines.
recover-passkey-code-intro = Tu cuenta tiene una aplicación de autenticación o códigos de recuperación: introduce un código de uno de ellos antes de añadir la nueva llave de acceso.
recover-passkey-code-label = Código de tu aplicación de autenticación o un código de recuperación
recover-passkey-code-first = Introduce primero un código de tu aplicación de autenticación o un código de recuperación.
recover-passkey-unsupported = Para añadir una llave de acceso necesitas un navegador con llaves de acceso y JavaScript. Abre el enlace en el dispositivo que guardará tu nueva llave.

## Account security

security-heading = Inicio de sesión y seguridad
security-signed-in-as = Sesión iniciada como <strong>{ $email }</strong>, con: <span id="session-sign-in">{ $methods }</span>.
security-confirm-first = Para añadir o quitar un método de inicio de sesión, primero <a href="{ $url }">confirma que eres tú</a>.
security-authenticators = Tus autenticadores
security-password-only = Inicias sesión solo con tu contraseña. Añade una aplicación de autenticación o una llave de acceso para proteger tu cuenta.
security-added = añadido el { $date }
security-last-used = usado por última vez el { $date }
security-remove = Quitar
security-add = Añadir
security-add-app = Añadir una aplicación de autenticación
security-passkey-name = Nombre de la llave de acceso
security-add-passkey = Añadir una llave de acceso
security-new-recovery-codes = Crear nuevos códigos de recuperación
security-removed = Se quitó el autenticador.
security-gone = Ese autenticador ya no existe.
security-setup-expired = La configuración caducó. Empieza de nuevo.
security-totp-wrong = Ese código no es correcto. Comprueba la hora de tu teléfono e inténtalo de nuevo.
security-totp-ready = Tu aplicación de autenticación está configurada.
security-confirm-before-passkey = Primero confirma que eres tú (el enlace de esta página) y después añade la llave de acceso.
security-passkeys-off = Las llaves de acceso están desactivadas.
security-passkey-taken = Esta llave de acceso ya está registrada.
factor-totp = Aplicación de autenticación
factor-passkey = Llave de acceso
factor-recovery-codes = Códigos de recuperación (quedan { $left })
totp-title = Aplicación de autenticación
totp-heading = Añadir una aplicación de autenticación
totp-intro = Escanea este código con tu aplicación de autenticación o introduce la clave a mano.
totp-qr-label = Código QR de la clave de abajo
totp-key = Clave:
totp-name = Nombre
totp-code-label = El código de 6 dígitos que muestra tu aplicación
recovery-codes-title = Códigos de recuperación
recovery-codes-heading = Tus códigos de recuperación
recovery-codes-notice = Guarda estos códigos en un lugar seguro. Cada uno te permite iniciar sesión una vez si pierdes tu autenticador. Solo se muestran ahora; los códigos anteriores ya no funcionan.
recovery-codes-done = Listo

## Mails

mail-sign-in-subject = Tu código de inicio de sesión de { $tenant }
mail-sign-in-text = Tu código de inicio de sesión es { $code }
mail-sign-in-link = O abre este enlace en el navegador donde pediste el código:
mail-sign-in-expiry = Caducan a los 10 minutos y funcionan una sola vez.
mail-sign-in-not-you = Si no intentaste iniciar sesión, ignora este mensaje.
mail-sign-in-not-you-password = Si no intentaste iniciar sesión, puede que alguien conozca tu contraseña: cámbiala.
mail-verify-subject = Confirma tu dirección de correo para { $tenant }
mail-verify-text =
    Tu código de confirmación es { $code }

    O abre este enlace para confirmar tu dirección:
    { $link }

    El código y el enlace funcionan una sola vez, durante 24 horas. Si no creaste una cuenta en { $tenant }, ignora este mensaje: sin él no ocurre nada.
mail-reset-subject = Restablece tu contraseña de { $tenant }
mail-reset-text =
    Abre este enlace para elegir una contraseña nueva para tu cuenta de { $tenant }:
    { $link }

    Funciona una sola vez, durante 30 minutos. Si no lo pediste, ignora este mensaje: tu contraseña no cambia.
mail-taken-subject = Alguien intentó crear una cuenta de { $tenant } con tu dirección
mail-taken-text =
    Alguien intentó crear una cuenta en { $tenant } con esta dirección de correo. Ya tienes una, así que no se cambió nada.

    Si fuiste tú, inicia sesión en la aplicación como siempre; si olvidaste tu contraseña, restablécela aquí:
    { $link }

    Si no fuiste tú, puedes ignorar este mensaje.
mail-password-changed-subject = Se cambió tu contraseña de { $tenant }
mail-password-changed-text =
    La contraseña de tu cuenta de { $tenant } se restableció el { $when } y se cerró la sesión en todos los dispositivos conectados a ella.

    Si no fuiste tú, restablece tu contraseña de inmediato y revisa los métodos de inicio de sesión de tu cuenta:
    { $link }
mail-reset-passkey-subject = Vuelve a entrar en tu cuenta de { $tenant }
mail-reset-passkey-text =
    Abre este enlace para añadir una nueva llave de acceso a tu cuenta de { $tenant }:
    { $link }

    Funciona una vez, durante 30 minutos. Si no lo pediste, ignora este mensaje: no cambia nada.
mail-passkey-recovered-subject = Se añadió una llave de acceso a tu cuenta de { $tenant }
mail-passkey-recovered-text =
    Se añadió una nueva llave de acceso a tu cuenta de { $tenant } con un enlace de restablecimiento el { $when }, y se cerró la sesión en todos los dispositivos.

    Si no fuiste tú, recupera tu cuenta de inmediato y elimina la llave de acceso que no reconozcas:
    { $link }
mail-factor-subject = Tu cuenta de { $tenant }: { $change }
mail-factor-text =
    { $change } en tu cuenta de { $tenant } ({ $when } UTC{ $from }).

    Si fuiste tú, no tienes que hacer nada. Si no, alguien conoce tu contraseña: cámbiala ya, quita lo que no reconozcas en la configuración de seguridad de tu cuenta y ponte en contacto con { $tenant }.
mail-factor-from = , desde { $ip }
change-totp-added = Se añadió una aplicación de autenticación
change-recovery-codes = Se crearon nuevos códigos de recuperación
change-factor-removed = Se quitó un método de inicio de sesión
change-passkey-added = Se añadió una llave de acceso

mail-email-change-subject = Confirma tu nueva dirección de correo para { $tenant }
mail-email-change-text =
    Abre este enlace para usar esta dirección en tu cuenta de { $tenant }:
    { $link }

    Funciona una sola vez, durante 24 horas. Si no lo pediste, ignora este mensaje: sin él no cambia nada.
mail-email-changed-subject = Se cambió la dirección de correo de tu cuenta de { $tenant }
mail-email-changed-text =
    Tu cuenta de { $tenant } ahora usa otra dirección de correo ({ $new }) y con esta ya no puedes iniciar sesión.

    Si no fuiste tú, puede que alguien esté usando tu cuenta: restablece tu contraseña con tu nueva dirección o contacta con el soporte de { $tenant }.
mail-invitation-subject = Te han invitado a { $tenant }
mail-invitation-text =
    Te han invitado a crear tu cuenta de { $tenant }. Abre este enlace para elegir tu contraseña:
    { $link }

    Funciona una sola vez, hasta el { $until }. Si no quieres una cuenta, ignora este mensaje.

## Account centre

account-nav-label = Cuenta
account-sign-out = Cerrar sesión
account-not-set = Sin indicar
nav-overview = Resumen
nav-overview-about = tu cuenta de un vistazo.
nav-profile = Perfil
nav-profile-about = tu nombre y tus datos.
nav-password = Contraseña
nav-password-about = cambia o establece tu contraseña.
nav-security-about = llaves de acceso, aplicación de autenticación y códigos de recuperación.
nav-sessions = Sesiones
nav-sessions-about = dónde tienes la sesión iniciada, y cerrarla allí.
nav-apps = Aplicaciones conectadas
nav-apps-about = aplicaciones a las que permitiste usar tu cuenta.
nav-agents = Agentes
nav-agents-about = agentes de IA a los que permitiste actuar por ti.
nav-privacy = Privacidad
nav-privacy-about = tus datos.
overview-title = Tu cuenta
overview-name-missing = Sin indicar. <a href="{ $url }">Añade tu nombre</a>
overview-verified = { $email } (verificado)
overview-not-verified = { $email } (sin verificar)
overview-what-you-can-do = Qué puedes hacer aquí
profile-verified = Esta dirección está verificada.
profile-not-verified = Esta dirección aún no está verificada.
profile-email-confirm-first = Para cambiar tu dirección, primero <a href="{ $url }">confirma que eres tú</a>.
profile-new-email = Nueva dirección de correo
profile-new-email-hint = Enviamos un enlace a la nueva dirección; el cambio se hace cuando lo abres.
profile-change-email = Cambiar correo
profile-details = Tus datos
profile-details-intro = Deja un campo vacío para quitarlo. Las aplicaciones a las que permitas ver tu perfil reciben estos datos.
profile-phone-hint = Con el prefijo del país, por ejemplo +34912345678.
profile-birthdate-hint = Como año-mes-día, por ejemplo 1990-12-31, o solo el año.
profile-save = Guardar
profile-saved = Tu perfil se guardó.
profile-email-sent = Enviamos un enlace a la nueva dirección. Tu dirección cambia cuando lo abres.
profile-error-phone = Introduce el número de teléfono con + y el prefijo del país, por ejemplo +34912345678.
profile-error-birthdate = Introduce la fecha de nacimiento como año-mes-día, por ejemplo 1990-12-31, o solo el año.
profile-error-locale = Elige un idioma de la lista.
profile-error-bidi = { $field } no puede contener caracteres invisibles que cambian la dirección del texto.
profile-error-control = { $field } no puede contener caracteres de control (como saltos de línea o tabulaciones).
profile-error-too-long = { $field } debe tener como máximo { $max } caracteres.
email-change-same = Esa ya es tu dirección.
email-change-domain-refused = Aquí no se pueden usar direcciones de este dominio.
email-change-link-gone = Este enlace ya no funciona: se usó, caducó o lo sustituyó una solicitud más reciente. Vuelve a pedirlo desde tu perfil.
email-change-taken = Esta dirección ya pertenece a otra cuenta.
email-change-changed-title = Dirección de correo cambiada
email-change-changed = Tu cuenta ahora usa { $email }. A partir de ahora, inicia sesión con ella.
email-change-back-to-profile = Volver a tu perfil
password-set-title = Establece una contraseña
password-none-yet = Ahora inicias sesión sin contraseña. Puedes añadir una como otra forma de iniciar sesión.
password-confirm-change = Para cambiar tu contraseña, primero <a href="{ $url }">confirma que eres tú</a>.
password-confirm-set = Para establecer tu contraseña, primero <a href="{ $url }">confirma que eres tú</a>.
password-rules-heading = Reglas para una contraseña nueva
password-rule-max = Como máximo { $max } bytes (más o menos las mismas letras).
password-rule-not-common = Ninguna de las contraseñas que más usa la gente: son las primeras que se prueban.
password-rule-phrase = Una frase de unas cuantas palabras sin relación es fácil de recordar y difícil de adivinar.
password-signs-out = Al cambiar tu contraseña se cierra tu sesión en todos los demás sitios, y las aplicaciones te pedirán que vuelvas a iniciarla.
password-current = Contraseña actual
password-change = Cambiar contraseña
password-changed = Tu contraseña se cambió. Se cerró tu sesión en todos los demás sitios.
password-was-set = Tu contraseña se estableció. Ya puedes iniciar sesión con ella.
password-wrong-current = Esa no es tu contraseña actual.
password-enter-new = Introduce una contraseña nueva.
password-new-too-short = La contraseña nueva debe tener al menos { $min } caracteres.
password-new-too-long = La contraseña nueva debe tener como máximo { $max } bytes.
password-new-too-common = La contraseña nueva es demasiado común; elige otra.
password-new-refused = La contraseña nueva: { $reason }.
sessions-intro = Dónde tienes la sesión iniciada en { $tenant }. Cerrar sesión en un sitio surte efecto en su siguiente página.
sessions-confirm-first = Para cerrar otras sesiones, primero <a href="{ $url }">confirma que eres tú</a>.
sessions-this-device-browser = { $browser } (este dispositivo)
sessions-this-device = Este dispositivo
sessions-signed-in = Sesión iniciada
sessions-last-active = Última actividad
sessions-signed-in-with = Sesión iniciada con
sessions-sign-out-others = Cerrar sesión en todos los demás sitios
sessions-none-elsewhere = No tienes la sesión iniciada en ningún otro sitio.
sessions-ended = Se cerró esa sesión.
sessions-ended-others = Se cerró tu sesión en todos los demás sitios.
sessions-use-sign-out = Para cerrar sesión en este dispositivo, usa «Cerrar sesión».
sessions-gone = Esa sesión ya terminó.
browser-on = { $browser } en { $system }
browser-any-on = Un navegador en { $system }
browser-any = Un navegador
time-unknown = desconocido
sign-in-password-otp = Contraseña y un código de un solo uso (aplicación de autenticación o código de recuperación)
sign-in-password-email = Contraseña y un código por correo
sign-in-email = Un código por correo
sign-in-password-second = Contraseña y un segundo factor
sign-in-other = Otro método de inicio de sesión
apps-intro = Aplicaciones a las que permitiste usar tu cuenta de { $tenant }. Quitar el acceso cierra la sesión de la aplicación: tendrá que volver a pedírtelo.
apps-confirm-first = Para quitar el acceso de una aplicación, primero <a href="{ $url }">confirma que eres tú</a>.
apps-none = Ninguna aplicación tiene acceso a tu cuenta.
apps-allowed = Permitida el { $date }. Puede:
apps-remove = Quitar acceso
apps-removed = Se quitó el acceso de la aplicación. Tendrá que volver a pedírtelo.
apps-gone = Esa aplicación no tiene ningún acceso que quitar.
apps-launch-heading = Iniciar sesión en una aplicación
apps-open = Abrir { $app }
agents-intro = Agentes de IA a los que permitiste actuar por ti. Revocar un agente lo detiene al instante, con todos los tokens que tenga.
agents-confirm-first = Para revocar un agente, primero <a href="{ $url }">confirma que eres tú</a>.
agents-none = No has permitido a ningún agente actuar por ti.
agents-operated = Operado por <strong>{ $owner }</strong>. Permitido el { $date }.
agents-unknown-owner = desconocido
agents-revoked-on = Revocado el { $date }.
agents-active-until = Activo hasta el { $date }.
agents-ended-on = Terminó el { $date }.
agents-revoke = Revocar
agents-revoked = Se revocó el agente. Ya no puede actuar por ti.
agents-gone = Ese agente no tiene ningún acceso que revocar.
privacy-download = Descargar mis datos
privacy-download-text = Obtenga una copia de todo lo que { $tenant } guarda sobre usted, en un archivo (JSON). Se prepara en segundo plano y se conserva una hora.
privacy-delete = Eliminar mi cuenta
privacy-delete-text = Eliminar su cuenta cierra sus sesiones, detiene las aplicaciones y agentes que autorizó y borra todo lo que { $tenant } guarda sobre usted. No se puede deshacer.

## Inicio de sesión con otros proveedores (OpenID Connect externo)
login-continue-with = Continuar con { $provider }
login-link-notice = Ya existe una cuenta con { $email }. Inicia sesión en ella una vez para vincular tu cuenta de { $provider }; después, { $provider } iniciará tu sesión.
login-upstream-domain = La dirección de correo de tu cuenta de { $provider } no se puede usar aquí.
login-upstream-no-account = Ninguna cuenta de aquí está vinculada a tu cuenta de { $provider }. Inicia sesión de otra forma.
login-upstream-no-email = { $provider } no compartió una dirección de correo, y una cuenta aquí la necesita.
login-upstream-disabled = Esta cuenta no puede iniciar sesión.
error-upstream-failed = El inicio de sesión con ese proveedor no funcionó. Inténtalo de nuevo o inicia sesión de otra forma.
error-upstream-unknown = Esa opción de inicio de sesión no está disponible.
sign-in-upstream = Inicio de sesión con otro proveedor
sign-in-upstream-mfa = Inicio de sesión con otro proveedor con más de un factor
security-linked-accounts = Cuentas vinculadas
security-linked = vinculada el { $date }
security-unlink = Desvincular
security-unlink-named = Desvincular { $provider }
security-unlinked = La cuenta se desvinculó.
security-unlink-last = Es tu única forma de iniciar sesión, así que sigue vinculada. Añade antes una contraseña o una llave de acceso.
security-link-gone = Esa cuenta ya no está vinculada.
purposes-title = Antes de continuar
purposes-intro = { $tenant } le pide su acuerdo con lo siguiente.
purposes-accept = Acepto { $title }
purposes-read = Leer { $title }
purposes-required = Acepte { $title } para continuar.
privacy-consents = Sus consentimientos
privacy-consents-text = Lo que aceptó y cuándo. Puede retirar un consentimiento en cualquier momento: sus aplicaciones dejan de recibir lo que cubre a partir de su próximo token.
privacy-granted = Otorgado el { $date } (versión { $version })
privacy-declined = No otorgado
privacy-withdraw = Retirar { $title }
privacy-grant = Otorgar { $title }
privacy-needed = Necesario para usar su cuenta; termina cuando se elimina su cuenta.
purpose-terms = Condiciones del servicio
purpose-privacy = Aviso de privacidad
privacy-data = Sus datos
privacy-preparing = Sus datos se están preparando. Esta página se actualiza sola; también puede recargarla.
privacy-ready = Sus datos están listos.
privacy-save = Guardar mis datos
privacy-export-gone = Este enlace de descarga ya se usó o ha caducado. Vuelva a pedir sus datos en la página Privacidad.
privacy-delete-heading = Su cuenta
privacy-delete-confirm = Entiendo que mi cuenta y mis datos se borran para siempre
privacy-delete-confirm-required = Marque la casilla para confirmar que desea eliminar su cuenta.
privacy-deleted-title = Cuenta eliminada
privacy-deleted = Su cuenta en { $tenant } y sus datos se han borrado.
privacy-confirm-first = Para descargar sus datos o eliminar su cuenta, primero <a href="{ $url }">confirme que es usted</a>.
privacy-deletion-scheduled = Tu cuenta en { $tenant } está cerrada y se borrará con tus datos el { $date }. ¿Cambiaste de opinión? El correo que te enviamos tiene un enlace para conservarla hasta entonces.
purpose-documents-version = Versión { $version }

## Solicitudes de aprobación (autenticación por canal trasero, account/approvals)
nav-approvals = Solicitudes de aprobación
nav-approvals-about = lo que aplicaciones y agentes te piden aprobar.
approvals-intro = Las aplicaciones y agentes de IA que usas pueden pedirte que apruebes algo antes de hacerlo. Aprueba solo lo que esperas y comprueba que la referencia coincide con la que te muestra la aplicación o el agente.
approvals-none = Ninguna solicitud espera tu respuesta.
approvals-live = Esta lista se actualiza sola.
approvals-from = { $client } pide tu aprobación
approvals-agent = Un agente de IA operado por <strong>{ $owner }</strong>.
approvals-reference = Referencia: <strong>{ $message }</strong>
approvals-details = Pide:
approvals-scopes = Obtendría:
approvals-expires = Responde antes del { $date }.
approvals-approve = Aprobar
approvals-deny = Rechazar
approvals-confirm-first = Para aprobar esta solicitud, primero <a href="{ $url }">confirma que eres tú</a>.
approvals-needs-passkey = Aprobar esta solicitud requiere una llave de acceso. <a href="{ $url }">Añade una llave de acceso</a> primero.
approvals-approved = Aprobaste la solicitud.
approvals-denied = Rechazaste la solicitud.
approvals-gone = Esa solicitud ya fue respondida, caducó o fue retirada.
mail-approval-reference = Referencia: { $message }
mail-approval-subject = { $client } pide tu aprobación
mail-approval-text =
    { $client } te pide que apruebes una solicitud para tu cuenta de { $tenant }:

    { $what }

    Revísala y apruébala o recházala antes del { $until }:
    { $link }

    Si no esperabas esta solicitud, recházala.

## Conservar una cuenta cuya eliminación espera (account/keep)
keep-title = Conservar tu cuenta
keep-intro = Pediste eliminar tu cuenta de { $tenant }; está cerrada hasta que se borre. Consérvala y volverá a abrirse tal como estaba.
keep-submit = Conservar mi cuenta
keep-link-gone = Este enlace ya no funciona: se usó, la cuenta ya se borró o se conservó, o un correo más reciente lo sustituyó.
kept-title = Tu cuenta se conserva
kept-message = Tu cuenta de { $tenant } está abierta de nuevo. Inicia sesión como antes.
kept-sign-in = Iniciar sesión
mail-keep-subject = Tu cuenta de { $tenant } se borrará el { $date }
mail-keep-text =
    Pediste eliminar tu cuenta de { $tenant }. Ahora está cerrada y se borrará el { $date }.

    ¿Cambiaste de opinión? Abre este enlace antes de esa fecha para conservarla:
    { $link }

    Si no lo pediste, conserva la cuenta con el enlace y cambia tu contraseña.

## The administrators' console
console-nav = Consola
console-tenants = Inquilinos
console-signed-in-as = Sesión iniciada como { $who }
console-sign-out = Cerrar sesión
console-tenants-intro = Los inquilinos que administras.
console-no-tenants = Todavía no tienes ningún rol en ningún inquilino.
console-users = Usuarios
console-users-of = Usuarios de { $tenant }
console-search-label = Correo electrónico, id de usuario o el principio de un nombre
console-search = Buscar
console-col-email = Correo electrónico
console-col-name = Nombre
console-col-status = Estado
console-status-active = Activo
console-status-disabled = Desactivado
console-no-users = No se encontraron usuarios.
console-next-page = Página siguiente
console-back-to-users = Volver a los usuarios
console-user-id = Id de usuario
console-email-verified = Correo verificado
console-yes = Sí
console-no = No
console-factors = Segundos factores y llaves de acceso
console-no-factors = Ninguno.
console-factors-hidden = Tu rol no muestra los factores de este usuario.
console-reset-factors = Restablecer factores
console-reset-question = ¿Eliminar todos los segundos factores y llaves de acceso de { $email }? La persona iniciará sesión con lo que quede (contraseña o código por correo) y configurará otros nuevos.
console-needs-recent-sign-in = Esto requiere un inicio de sesión de los últimos 15 minutos.
console-sign-in-again = Volver a iniciar sesión
console-cancel = Cancelar
console-factors-were-reset = Se eliminaron todos los segundos factores y llaves de acceso de este usuario.
console-not-found = No encontrado.
console-forbidden = Tu rol no lo permite.
console-form-expired = Este formulario ha caducado. Recarga la página y vuelve a intentarlo.
console-sign-in-failed = No se pudo completar el inicio de sesión. Abre la consola de nuevo para empezar otra vez.
console-actions = Acciones
console-sign-out-everywhere = Cerrar sesión en todas partes
console-disable = Desactivar la cuenta
console-enable = Activar la cuenta
console-sign-out-question = ¿Cerrar todas las sesiones de { $email } y los inicios de sesión que guardan sus aplicaciones? Tendrá que volver a iniciar sesión en todas partes.
console-disable-question = ¿Desactivar la cuenta de { $email }? No podrá iniciar sesión hasta que se vuelva a activar, y se cierran ahora todas sus sesiones.
console-enable-question = ¿Volver a activar la cuenta de { $email }? Podrá iniciar sesión como antes.
console-signed-out-everywhere = Se cerraron todas las sesiones de este usuario.
console-was-disabled = Esta cuenta se ha desactivado.
console-was-enabled = Esta cuenta se ha activado.
console-tenant-nav = Inquilino
console-overview = Resumen
console-clients = Aplicaciones y agentes
console-keys = Claves de firma
console-audit = Registro de auditoría
console-administrators = Administradores
console-taken = Esto ya está en uso.
console-secret-of = Nuevo secreto de { $name }
console-secret-once = Copia este secreto ahora y guárdalo en un lugar seguro: solo se muestra esta vez y no se podrá volver a mostrar.
console-secret = Secreto de cliente
console-secret-stored = He guardado el secreto
console-type-to-confirm = Escribe { $word } para confirmar
console-new-tenant = Crear un inquilino
console-create-tenant = Crear inquilino
console-tenant-id = Id del inquilino
console-tenant-id-hint = 1-63 letras minúsculas, dígitos y guiones; aparece en las URL del inquilino y no se puede cambiar después.
console-tenant-name = Nombre visible
console-tenant-created = El inquilino se creó con sus claves de firma.
console-region = Región de los datos
console-issuer = Emisor
console-created = Creado
console-delete-tenant = Eliminar inquilino
console-delete-tenant-question = ¿Eliminar { $tenant } con todos sus usuarios, aplicaciones, agentes, claves y registro de auditoría? No se puede deshacer.
console-keys-of = Claves de firma de { $tenant }
console-keys-intro = Los tokens se firman con la clave activa. La siguiente clave ya está publicada, así que la rotación no afecta a los clientes que guardan las claves en caché; una clave retirada sigue publicada hasta que caducan los tokens que firmó.
console-col-kid = Id de clave
console-col-alg = Algoritmo
console-col-state = Estado
console-col-activated = Firma desde
console-col-retired = Retirada
console-key-active = Activa
console-key-next = Siguiente
console-key-retired = Retirada
console-rotate-keys = Rotar las claves ahora
console-rotate-keys-question = ¿Rotar ahora las claves de firma de { $tenant }? Las siguientes claves empiezan a firmar y las activas se retiran.
console-keys-rotated = Se rotaron las claves.
console-clients-of = Aplicaciones y agentes de { $tenant }
console-no-clients = Todavía no hay aplicaciones ni agentes.
console-new-client = Registrar una aplicación
console-new-client-intro = Una aplicación que envía aquí a sus usuarios para que inicien sesión. Los agentes tienen un formulario propio, con su operador, sus claves y sus límites.
console-create-client = Registrar aplicación
console-client-name = Nombre
console-client-type = Tipo
console-client-id = Id de cliente
console-client-id-hint = Opcional: 3-128 caracteres de A-Z, a-z, 0-9, -, ., _ y ~. Si lo dejas vacío, se genera uno.
console-redirect-uris = URI de redirección
console-redirect-uris-hint = Una por línea, con coincidencia exacta: https, http en una dirección de loopback o un esquema de uso privado para una aplicación nativa.
console-scopes = Ámbitos
console-scopes-hint = Los ámbitos máximos que esta aplicación puede pedir, separados por espacios.
console-jwks = Claves públicas (JWK Set)
console-first-party = Aplicación propia (first-party): no se pide consentimiento a sus usuarios
console-first-party-hint = Solo para las aplicaciones propias del inquilino. Se sigue preguntando a los usuarios cuando la aplicación lo pide con prompt=consent o solicita detalles de autorización.
console-new-agent = Registrar un agente
console-new-agent-intro = Un agente se autentica con sus propias claves y actúa en nombre de un usuario solo dentro de una delegación que ese usuario aprobó. Sus límites acotan cada token que obtiene.
console-create-agent = Registrar agente
console-save-client = Guardar los cambios
console-edit-client = Editar la aplicación
console-edit-agent = Editar el agente y sus límites
console-client-saved = Se guardaron los cambios.
console-agent-description-hint = Se muestra a los usuarios cuando se les pide que aprueben una delegación. Como máximo, 500 caracteres.
console-agent-operator-kind = Operado por
console-operator-client = Una aplicación de este inquilino
console-operator-user = Un usuario de este inquilino
console-agent-operator-id = Id del operador
console-agent-operator-hint = El id de cliente de la aplicación, o el id de usuario, que opera el agente.
console-agent-jwks-hint = Las claves públicas del agente como JWK Set (JSON). Con ellas firma sus aserciones de cliente (private_key_jwt): un agente tiene claves, no una contraseña.
console-agent-needs-keys = Un agente se autentica con sus claves: hay que indicar su JWK Set.
console-agent-scopes-hint = Los ámbitos que puede llegar a tener como máximo, separados por espacios.
console-agent-redirect-uris-hint = Opcional: adónde vuelve el flujo de aprobación cuando el agente pide a un usuario una delegación mediante el flujo de código. Una por línea, con coincidencia exacta.
console-audiences-hint = Opcional: las API (URI de recurso) para las que puede obtener tokens, una por línea.
console-max-token-lifetime-hint = En segundos, 30-3600.
console-max-chain-depth-hint = El número máximo de agentes en una cadena de delegación que termina en este, 1-5.
console-delegation-lifetime-hint = En segundos, de 60 a 31536000 (365 días); 2592000 son 30 días.
console-dpop = Prueba de posesión (DPoP)
console-dpop-required = Obligatoria: cada token queda vinculado a la clave del agente
console-dpop-optional = No obligatoria
console-whole-number = Debe ser un número entero.
console-rotation-schedule = Calendario de rotación
console-rotation-by-hand = Las claves solo rotan cuando un administrador las rota.
console-rotation-scheduled = Las claves rotan cada { $days } días. Próxima rotación: { $next }.
console-rotate-every = Rotar cada (días)
console-rotate-every-hint = 7-730 días. Cada rotación publica la siguiente clave un período completo antes de que empiece a firmar. Si se deja vacío, solo se rota manualmente.
console-save-schedule = Guardar el calendario
console-schedule-saved = Se guardó el calendario de rotación.
console-jwks-hint = Opcional, para una aplicación confidencial que firma sus solicitudes (private_key_jwt) en lugar de usar un secreto: su JWK Set en JSON.
console-col-kind = Clase
console-kind-agent = Agente de IA
console-kind-saml = Aplicación SAML
console-kind-confidential = Aplicación confidencial
console-kind-public = Aplicación pública
console-back-to-clients = Volver a las aplicaciones y agentes
console-auth-method = Autenticación
console-grant-types = Tipos de concesión
console-key-id = Clave { $kid }
console-agent = Agente
console-agent-description = Qué hace
console-agent-operator = Operador
console-operated-by-user = el usuario { $id }
console-operated-by-client = la aplicación { $id }
console-status-suspended = Suspendido
console-ceilings = Límites
console-allowed-audiences = Servicios para los que puede obtener tokens
console-max-token-lifetime = Vida máxima de un token
console-max-chain-depth = Cadena de agentes más larga
console-delegation-lifetime = Duración de la delegación
console-seconds = { $n } segundos
console-rotate-secret = Emitir un nuevo secreto
console-rotate-secret-question = ¿Emitir un nuevo secreto para { $name }? El secreto actual deja de funcionar al instante.
console-secret-rotated = Se emitió un nuevo secreto.
console-suspend-agent = Suspender agente
console-suspend-question = ¿Suspender { $name }? No podrá obtener tokens hasta que se reanude; sus delegaciones se mantienen.
console-agent-suspended = Se suspendió el agente.
console-resume-agent = Reanudar agente
console-resume-question = ¿Reanudar { $name }? Podrá volver a obtener tokens dentro de sus delegaciones.
console-agent-resumed = Se reanudó el agente.
console-delete-client = Eliminar
console-delete-client-question = ¿Eliminar { $name }? Ya no podrá iniciar la sesión de nadie ni obtener tokens; las delegaciones de un agente terminan con él.
console-client-deleted = Se eliminó.
console-audit-of = Registro de auditoría de { $tenant }
console-verify-chain = Verificar la cadena
console-chain-intact = La cadena está intacta: se comprobaron { $count } eventos.
console-chain-broken = La cadena está rota: { $why }
console-audit-filters = Filtrar los eventos
console-agent-or-client = Agente o aplicación
console-event-type = Tipo de evento
console-event-type-hint = Por ejemplo, token.exchanged o user.signed_in.
console-since = Desde (día)
console-until = Hasta (día)
console-not-a-day = Introduce un día con el formato YYYY-MM-DD.
console-filter = Filtrar
console-no-events = Ningún evento coincide.
console-events = Eventos
console-col-time = Hora
console-col-reason = Motivo
console-denied = denegado
console-administrators-of = Administradores de { $tenant }
console-add-administrator = Añadir un administrador
console-add-administrator-intro = Da a una persona un rol en este inquilino mediante su dirección de correo electrónico. Si la dirección no tiene cuenta de administrador, se le crea una y se le envía un correo con un enlace para configurar cómo inicia sesión.
console-role = Rol
console-no-administrators = Nadie tiene un rol en este inquilino.
console-col-who = Quién
console-col-since = Desde
console-remove-role = Retirar
console-remove-role-of = Retirar el rol de { $who }
console-administrator-added = Se asignó el rol.
console-administrator-invited = Se asignó el rol y se envió al nuevo administrador un correo con un enlace para configurar cómo inicia sesión.
console-administrator-removed = Se retiró el rol.
console-service-account = cuenta de servicio { $id }
console-new-user = Crear un usuario
console-create-user = Crear usuario
console-edit-user = Editar el perfil
console-save = Guardar
console-initial-password = Contraseña
console-initial-password-hint = Opcional. Si lo dejas vacío, se envía al usuario por correo un enlace para configurar cómo inicia sesión.
console-user-created = Se creó el usuario.
console-user-saved = Se guardaron los cambios.
console-send-reset = Enviar correo de restablecimiento de contraseña
console-send-verification = Enviar correo de verificación
console-mail-sent = Se envió el correo.
console-sessions = Sesiones
console-no-sessions = No hay sesiones.
console-col-how = Sesión iniciada con
console-col-browser = Navegador
console-end-session = Cerrar
console-end-session-from = Cerrar la sesión del { $since }
console-session-ended = Se cerró la sesión.
console-consents = Consentimientos
console-no-consents = No hay consentimientos.
console-withdraw-consent = Retirar
console-withdraw-consent-to = Retirar el consentimiento dado a { $client }
console-consent-withdrawn = Se retiró el consentimiento; la aplicación volverá a preguntar la próxima vez.
console-delegations = Delegaciones a agentes
console-no-delegations = No hay delegaciones.
console-col-until = Hasta
console-status-revoked = Revocado
console-status-expired = Caducado
console-revoke-delegation = Revocar
console-revoke-delegation-to = Revocar la delegación a { $agent }
console-delegation-revoked = Se revocó la delegación; los tokens que el agente obtuvo con ella dejan de funcionar al instante.
console-identities = Identidades vinculadas
console-no-identities = No hay identidades vinculadas.
console-settings = Configuración
console-settings-read-only = Tu rol muestra esta configuración sin permitir cambiarla.
console-locale-default = Predeterminado (inglés)
console-signup-mode = Registro
console-signup-closed = Cerrado: las cuentas las crean los administradores
console-signup-open = Abierto: cualquiera puede registrarse
console-signup-invite = Solo por invitación
console-require-verification = Quienes se registran deben verificar su dirección
console-require-verification-hint = Una cuenta cuya dirección no está verificada no puede completar un inicio de sesión en una aplicación; se le pide que revise su correo.
console-allowed-domains = Registro solo desde estos dominios
console-allowed-domains-hint = Opcional: un dominio por línea; también se incluyen sus subdominios. Vacío: cualquier dominio.
console-blocked-domains = Registro rechazado desde estos dominios
console-domains-hint = Opcional: un dominio por línea; también se incluyen sus subdominios.
console-terms-url = Condiciones del servicio (URL)
console-privacy-url = Aviso de privacidad (URL)
console-documents-hint = Opcional, https. El formulario de registro pide entonces aceptarlos y se guarda constancia de la aceptación.
console-login-password = Los usuarios pueden iniciar sesión con una contraseña
console-login-passkey = Los usuarios pueden iniciar sesión con una llave de acceso
console-login-email-code = Los usuarios pueden iniciar sesión con un código enviado por correo
console-refuse-common = Rechazar contraseñas comunes y filtradas
console-session-lifetime = Duración de la sesión
console-session-lifetime-hint = En segundos, de 300 (5 minutos) a 34560000 (400 días), sin importar cómo se use la sesión.
console-session-idle = Tiempo máximo de inactividad de la sesión
console-session-idle-hint = En segundos, de 60 (1 minuto) a 2592000 (30 días) sin uso.
console-mfa = Segundo factor
console-mfa-never = Solo cuando una aplicación lo pide
console-mfa-risk = Cuando la política de riesgo o una aplicación lo pide
console-mfa-always = En cada inicio de sesión
console-password-min-length = Longitud mínima de la contraseña
console-primary-color = Color principal
console-primary-color-hint = Como #rrggbb. El texto blanco sobre él debe alcanzar una relación de contraste de 4.5:1; un color más claro se rechaza.
console-logo-uri = Logotipo (URL https)
console-default-locale = Idioma predeterminado
console-risk-policy = Política de riesgo (JSON)
console-risk-policy-hint = Reglas, puntos y umbrales como en docs/security.md. Vacío: la política predeterminada.
console-branding-preview = Vista previa de las páginas de inicio de sesión
console-branding-preview-label = Cómo se ven las páginas de inicio de sesión de { $tenant }
console-sample-button = Continuar
console-sample-link = Un enlace
console-simulator = Qué pasaría
console-simulator-intro = Prueba la política de riesgo con un inicio de sesión imaginario con contraseña: desde una dirección, con un navegador, por un usuario (cuentan sus inicios de sesión anteriores). No se registra nada; se supone que no hubo intentos fallidos.
console-sim-ip = Dirección IP
console-sim-ua = Navegador (User-Agent)
console-sim-user = Usuario (correo electrónico o id)
console-sim-device = Dispositivo
console-sim-device-new = Un navegador que no ha usado antes
console-sim-device-known = Un navegador con el que ya inició sesión antes
console-sim-policy = Política que probar
console-sim-policy-hint = Opcional: una política de riesgo en JSON para probarla en lugar de la guardada.
console-sim-run = Ver qué pasaría
console-sim-answer = La respuesta
console-sim-outcome = Resultado
console-sim-allow = Permitido
console-sim-deny = Denegado
console-sim-step-up = Se pide un segundo factor (nivel { $acr })
console-sim-score = Puntuación de riesgo
console-sim-place = Ubicación
console-sim-no-rules = No se activó ninguna regla.
console-sim-rules = Reglas activadas
console-sim-rule = Regla
console-sim-points = Puntos
console-sim-detail = Qué se observó
console-not-an-address = Introduce una dirección IPv4 o IPv6.
console-no-such-user = Ningún usuario de este inquilino tiene esta dirección o id.
console-back-to-overview = Volver al resumen
console-activity = Actividad
console-last-day = Las últimas 24 horas
console-last-week = Los últimos 7 días
console-stat-sign-ins = Inicios de sesión
console-stat-step-ups = Segundo factor pedido por la política de riesgo
console-stat-risk-denials = Inicios de sesión denegados por la política de riesgo
console-stat-sign-ups = Registros
console-stat-issued = Tokens emitidos
console-stat-refreshed = Tokens renovados
console-stat-exchanged = Tokens intercambiados (agentes)
console-stat-refused = Solicitudes de tokens rechazadas
console-events-by-type = { $period }: eventos por tipo
console-tokens-by-grant = { $period }: solicitudes de tokens por concesión
console-grant = Concesión
console-grant-answered = Tokens emitidos
console-grant-refused = Rechazadas
console-grant-code = Código de autorización
console-grant-refresh = Token de actualización
console-grant-client-credentials = Credenciales del cliente
console-grant-exchange = Intercambio de tokens
console-grant-device = Autorización de dispositivo
console-grant-jwt-bearer = Portador JWT (encadenamiento de identidad)
console-grant-ciba = Autenticación por canal secundario (CIBA)
console-grant-other = Otra, o no registrada
console-allowed = Permitido
console-stepped-up = Segundo factor pedido
console-denied-col = Denegado
console-resources = API
console-resources-of = API de { $tenant }
console-new-resource = Registrar una API
console-new-resource-intro = Una API (un servidor de recursos) para la que se emiten tokens de acceso. Los clientes la piden por su identificador (RFC 8707), y sus tokens llevan ese identificador como audiencia.
console-create-resource = Registrar API
console-resource-id = Id
console-resource-id-hint = 1-63 caracteres de a-z, 0-9 y -; se usa en las URL de administración. No se puede cambiar una vez registrada la API.
console-identifier-hint = Una URI absoluta, como https://api.example.com/orders: lo que piden los clientes y la audiencia de los tokens de la API.
console-resource-scopes-hint = Los ámbitos que define, separados por espacios, como orders:read orders:write. Sus tokens no llevan ningún otro.
console-resource-lifetime-hint = En segundos, 60-86400.
console-introspection-none = No: comprueba los tokens por sí misma
console-introspection-secret = Sí, con un secreto (se muestra una sola vez)
console-resource-added = Se registró la API.
console-resource-deleted = Se eliminó la API.
console-delete-resource = Eliminar API
console-delete-resource-question = ¿Eliminar la API { $name }? Los clientes ya no podrán obtener tokens para ella.
console-resources-intro = Las API para las que se emiten tokens de acceso (indicadores de recurso de RFC 8707). La introspección con claves y los cambios en una API registrada se hacen mediante la API de administración, en { $path }.
console-no-resources = No hay ninguna API registrada.
console-identifier = Identificador
console-token-lifetime = Vida del token
console-introspects = Usa introspección
console-providers = Proveedores de identidad
console-providers-of = Proveedores de identidad de { $tenant }
console-providers-intro = Desde dónde pueden iniciar sesión los usuarios de este inquilino: proveedores sociales y empresariales, OpenID Connect o SAML. Los proveedores OpenID Connect se añaden aquí; los proveedores SAML, y cualquier otra configuración, se gestionan mediante la API de administración, en { $path }.
console-redirect-uri-is = La URI de redirección que hay que registrar en cada proveedor:
console-new-provider = Añadir un proveedor de identidad
console-new-provider-intro = Así, los usuarios de este inquilino podrán iniciar sesión con su cuenta de este proveedor. Primero registra en el proveedor la URI de redirección que aparece en la lista de proveedores.
console-create-provider = Añadir proveedor de identidad
console-provider-kind = Proveedor
console-provider-name-hint = El texto de su botón en la página de inicio de sesión.
console-provider-id = Id
console-provider-id-hint = 1-32 caracteres de a-z, 0-9 y -. No se puede cambiar una vez añadido.
console-provider-issuer-hint = Para OpenID Connect: el emisor del proveedor, cuya configuración se obtiene por descubrimiento. Google, Microsoft y GitHub tienen el suyo propio: déjalo vacío.
console-provider-client-id-hint = El id de cliente que este inquilino tiene en el proveedor.
console-provider-secret = Secreto de cliente
console-provider-secret-hint = El secreto de cliente que este inquilino tiene en el proveedor. Se guarda cifrado y no se vuelve a mostrar nunca.
console-home-realm-hint = Opcional: las direcciones de estos dominios se envían directamente a este proveedor, un dominio por línea.
console-provider-create-users = En un primer inicio de sesión
console-provider-create-yes = Crear una cuenta para un usuario nuevo
console-provider-create-no = Solo usuarios que ya tienen una cuenta
console-provider-added = Se añadió el proveedor de identidad.
console-provider-deleted = Se quitó el proveedor de identidad.
console-delete-provider = Quitar proveedor de identidad
console-delete-provider-question = ¿Quitar { $name }? Su botón desaparece de la página de inicio de sesión y las cuentas vinculadas a través de él se desvinculan: sus usuarios inician sesión de otra forma.
console-delete-of = Eliminar { $name }
console-no-providers = No hay ningún proveedor de identidad configurado.
console-home-realm = Enviados aquí según la dirección
