# الصفحات المستضافة ورسائل الأخطاء فيها ورسائل البريد في ciam، باللغة العربية (من اليمين إلى اليسار).
# يُحتفظ بالوسوم في الرسائل (<strong>، <a>) كما هي.

## Every page

language-switcher = اللغة
error-prefix = خطأ:
field-email = البريد الإلكتروني
field-password = كلمة المرور
field-code = الرمز
action-verify = تحقّق
action-continue = متابعة
action-allow = سماح
action-deny = رفض
action-sign-in = تسجيل الدخول
action-confirm = تأكيد
close-window = يمكنك إغلاق هذه النافذة.
check-email-title = تحقّق من بريدك الإلكتروني

## Errors

error-title = خطأ
error-heading = حدث خطأ ما
error-return = ارجع إلى التطبيق الذي أتيت منه وحاول مرة أخرى.
error-unavailable = الخدمة غير متاحة مؤقتًا. حاول مرة أخرى بعد قليل.
error-unavailable-short = الخدمة غير متاحة مؤقتًا.
error-try-again-shortly = حاول مرة أخرى بعد قليل.
error-unknown-tenant = مستأجر غير معروف.
error-unknown-client = تطبيق غير معروف.
error-saml-request = لا يمكن قبول طلب تسجيل الدخول من هذا التطبيق. ارجع إلى التطبيق وحاول مرة أخرى.
error-invalid-authorization-request = طلب تفويض غير صالح.
error-invalid-redirect-uri = عنوان إعادة توجيه غير صالح.
error-invalid-form = نموذج غير صالح.
error-flow-expired = انتهت صلاحية صفحة تسجيل الدخول هذه أو فُتحت في متصفح آخر. ارجع إلى التطبيق وابدأ من جديد.
error-form-expired = انتهت صلاحية النموذج. ارجع وحاول مرة أخرى.
error-form-expired-reload = انتهت صلاحية النموذج. أعد تحميل الصفحة.
error-page-expired-reload = انتهت صلاحية الصفحة. أعد تحميلها.
error-sign-in-page-expired = انتهت صلاحية صفحة تسجيل الدخول هذه.
error-choose-allow-or-deny = اختر «سماح» أو «رفض».
error-choose-offered-method = اختر إحدى الطرق المعروضة.
error-too-many-attempts = محاولات كثيرة جدًا. انتظر بضع دقائق ثم حاول مرة أخرى.
error-wrong-code = هذا الرمز غير صحيح. حاول مرة أخرى.
error-invalid-email = أدخل عنوان بريد إلكتروني مثل name@example.com.
error-mail-limit = أُرسلت عدة رموز بالفعل. استخدم أحدثها أو انتظر بضع دقائق.
error-sign-in-blocked = حُظر تسجيل الدخول هذا حمايةً لك. حاول لاحقًا أو من شبكة أخرى.
error-sign-up-blocked = حُظر إنشاء هذا الحساب حمايةً لك. حاول لاحقًا أو من شبكة أخرى.
error-stronger-sign-in = يطلب هذا التطبيق تسجيل دخول أقوى مما يتيحه حسابك. أضف مفتاح مرور في إعدادات أمان حسابك ثم حاول مرة أخرى.
error-sign-in-refused = رُفض تسجيل الدخول.
error-logout-invalid = طلب تسجيل الخروج غير صالح.
error-logout-needs-hint = يتطلب post_logout_redirect_uri وجود id_token_hint.
error-logout-unregistered = العنوان post_logout_redirect_uri غير مسجّل.

## Sign-in

login-title = تسجيل الدخول
login-heading = تسجيل الدخول إلى { $tenant }
login-continue-to = للمتابعة إلى <strong>{ $client }</strong>
login-testing-notice = مستأجر للتطوير: لا يُطلب من عمليات تسجيل الدخول عبر البرامج النصية والمتصفحات الآلية تأكيد الهوية. لا تستخدمه لحسابات حقيقية.
login-forgot-password = هل نسيت كلمة المرور؟
login-code-label = أو احصل على رمز تسجيل الدخول عبر البريد الإلكتروني
login-email-me-a-code = أرسل لي رمزًا بالبريد الإلكتروني
login-passkey = تسجيل الدخول باستخدام مفتاح مرور
login-new-here = جديد هنا؟
login-create-account = إنشاء حساب
login-legacy-unavailable = تعذّر التحقق من كلمة المرور الآن. حاول مرة أخرى بعد بضع دقائق.
login-incorrect = البريد الإلكتروني أو كلمة المرور غير صحيحة.
login-use-passkey = سجّل الدخول باستخدام مفتاح مرور.
login-purpose-device = ربط جهاز
login-purpose-account = إعدادات حسابك

## Sign-in codes by email

email-code-intro = إذا كان للعنوان <strong>{ $email }</strong> حساب، فقد أرسلنا إليه رمز تسجيل دخول. تنتهي صلاحيته خلال 10 دقائق.
email-code-label = رمز تسجيل الدخول
email-code-wrong = هذا الرمز غير صحيح أو انتهت صلاحيته. راجع أحدث رسالة بريد إلكتروني أو اطلب رمزًا جديدًا.
email-code-disabled = رموز تسجيل الدخول عبر البريد الإلكتروني غير مفعّلة.
email-code-invalid-address = أدخل عنوان بريد إلكتروني صالحًا.
email-link-other-browser = افتح هذا الرابط في المتصفح الذي طلبته منه، أو اكتب فيه الرمز الوارد في البريد الإلكتروني. لا تعمل الروابط إلا في ذلك المتصفح، ولمدة 10 دقائق.
email-link-gone = استُخدم رابط تسجيل الدخول هذا من قبل، أو انتهت صلاحيته، أو أُرسل رابط أحدث. استخدم أحدث رسالة بريد إلكتروني.

## Second step

mfa-title = أكّد أنك أنت
mfa-passkey-required = يطلب هذا التطبيق مفتاح مرور.
mfa-one-more-step = خطوة أخرى لتسجيل الدخول.
mfa-use-passkey = استخدام مفتاح مرور
mfa-totp-label = الرمز من تطبيق المصادقة
mfa-email-code-label = الرمز الذي أرسلناه إلى بريدك الإلكتروني
mfa-use-recovery-code = استخدام رمز استرداد
mfa-recovery-code-label = رمز الاسترداد
mfa-no-second-step = لا يوجد تسجيل دخول ينتظر خطوة ثانية.
passkey-request-expired = انتهت صلاحية طلب مفتاح المرور أو استُخدم من قبل. ابدأ من جديد.
passkey-unavailable = مفاتيح المرور غير متاحة على هذا الخادم (يلزم عنوان https أو localhost).
passkey-sign-in-disabled = تسجيل الدخول بمفتاح المرور غير مفعّل.
passkey-not-registered = مفتاح المرور هذا غير مسجّل هنا.
passkey-not-accepted = لم يُقبل مفتاح المرور هذا.
passkey-nothing-waiting = لا يوجد تسجيل دخول قيد الانتظار.

## Consent

consent-title = السماح بالوصول
consent-title-agent = السماح لوكيل ذكاء اصطناعي بالتصرف نيابةً عنك
consent-heading = هل تسمح لـ { $client } بالوصول؟
consent-asks = يطلب <strong>{ $client }</strong> ما يلي:
consent-agent-heading = هل تسمح لـ { $client } بالتصرف نيابةً عنك؟
consent-agent-notice = <strong>{ $client } وكيل ذكاء اصطناعي.</strong> إذا سمحت له، فيمكنه التصرف نيابةً عنك من تلقاء نفسه، دون أن يسألك مرة أخرى، ضمن الحدود المبيّنة أدناه، حتى { $until } أو حتى تلغي الإذن.
consent-agent-operator = يشغّله <strong>{ $owner }</strong>.
consent-agent-may = يمكنه:
consent-agent-services = على هذه الخدمات:
consent-agent-ends = ينتهي الوصول في <strong>{ $until }</strong>. وحتى ذلك الحين، يمكنك إلغاؤه بنفسك في أي وقت من حسابك، على <a href="{ $manage }">{ $manage }</a>: يتوقف الوكيل فورًا. ويمكن للتطبيق الذي ربطه إنهاؤه أيضًا.
consent-unverified = <strong>تطبيق لم يُتحقق منه.</strong> الاسم «{ $client }» قدّمه التطبيق نفسه ولم يُتحقق منه. يُعرَّف التطبيق بالعنوان <strong>{ $host }</strong>. لا تسمح بالوصول إلا إذا كنت تثق بهذا الموقع.
consent-former-user = مستخدم سابق
consent-returns-to = ستعود بعد ذلك إلى <strong>{ $host }</strong>.
consent-details = لهذا الطلب فقط، بالتحديد:
scope-openid = معرفة هويتك
scope-profile = الاطلاع على اسمك وتفاصيل ملفك الشخصي
scope-email = الاطلاع على عنوان بريدك الإلكتروني
scope-phone = الاطلاع على رقم هاتفك
scope-address = الاطلاع على عنوانك البريدي
scope-offline-access = الاحتفاظ بالوصول أثناء عدم استخدامك له
scope-other = استخدام الإذن «{ $scope }»

## Devices

device-title = ربط جهاز
device-intro = أدخل الرمز الظاهر على جهازك أو في الطرفية.
device-compare-code = لا تسمح بذلك إلا إذا كان الجهاز أو الطرفية التي تربطها يعرض الرمز <strong>{ $code }</strong>.
device-too-many = رموز خاطئة كثيرة جدًا. انتظر 15 دقيقة ثم حاول مرة أخرى.
device-wrong-code = هذا الرمز غير صالح: تحقّق منه وحاول مرة أخرى. تنتهي صلاحية الرموز بعد 10 دقائق.
device-connected-title = تم ربط الجهاز
device-connected = تم ربط { $client } الآن. عُد إلى جهازك.
device-denied-title = تم رفض الوصول
device-denied = لم يُمنح { $client } حق الوصول.

## Sign-out

logout-title = تسجيل الخروج
logout-heading = هل تريد تسجيل الخروج من { $tenant }؟
logout-submit = تسجيل الخروج
logout-done = لقد سجّلت الخروج

## Sign-up

signup-title = إنشاء حساب
signup-heading = أنشئ حسابك في { $tenant }
signup-optional = (اختياري)
signup-honeypot = اترك هذا الحقل فارغًا
signup-accept-both = أوافق على <a href="{ $terms }" target="_blank" rel="noopener">شروط الخدمة</a> و<a href="{ $privacy }" target="_blank" rel="noopener">إشعار الخصوصية</a>
signup-accept-terms = أوافق على <a href="{ $terms }" target="_blank" rel="noopener">شروط الخدمة</a>
signup-accept-privacy = أوافق على <a href="{ $privacy }" target="_blank" rel="noopener">إشعار الخصوصية</a>
signup-submit = إنشاء حساب
signup-have-account = لديك حساب بالفعل؟
signup-closed = لا تُنشأ الحسابات هنا. اطلب الوصول من مالك التطبيق.
signup-invitation-gone = لم تعد هذه الدعوة صالحة: فقد استُخدمت، أو سُحبت، أو انتهت صلاحيتها. اطلب دعوة جديدة ممن دعاك.
signup-too-many = أُنشئت حسابات كثيرة جدًا من شبكتك. حاول مرة أخرى بعد ساعة.
signup-not-ascii = استخدم عنوانًا مكوّنًا من حروف لاتينية بسيطة وأرقام وعلامات ترقيم فقط.
signup-domain-refused = لا يمكن إنشاء حسابات هنا بعناوين من هذا النطاق.
signup-invited-taken = يوجد حساب لهذا العنوان بالفعل: سجّل الدخول به بدلًا من ذلك.
signup-captcha-failed = أكّد أنك إنسان: أكمل التحقق الموجود فوق الزر.
signup-captcha-unavailable = تعذّر إكمال التحقق من أنك إنسان. حاول مرة أخرى بعد قليل.
signup-accept-required = وافق على الشروط لإنشاء حساب.
signup-field-required = أدخل { $field }.
signup-field-invalid = { $field }: { $reason }.
password-rules = الحد الأدنى لعدد الأحرف: { $min }.
password-rules-breached = الحد الأدنى لعدد الأحرف: { $min }. تُرفض كلمات المرور الواردة في قوائم كلمات المرور المسرّبة.
password-too-short = يجب ألا يقل عدد أحرف كلمة المرور عن { $min }.
password-too-long = يجب ألا يتجاوز حجم كلمة المرور { $max } بايت.
password-too-common = كلمة المرور هذه شائعة جدًا؛ اختر غيرها.
password-refused = رُفضت كلمة المرور: { $reason }.
claim-name = الاسم
claim-given-name = الاسم الأول
claim-family-name = اسم العائلة
claim-phone-number = رقم الهاتف
claim-birthdate = تاريخ الميلاد
claim-locale = اللغة
claim-field = هذا الحقل
# مع الضمير، لعبارة «أدخل { $field }.»
claim-name-lower = اسمك
claim-given-name-lower = اسمك الأول
claim-family-name-lower = اسم عائلتك
claim-phone-number-lower = رقم هاتفك
claim-birthdate-lower = تاريخ ميلادك
claim-locale-lower = لغتك
claim-invalid-birthdate = استخدم الصيغة YYYY-MM-DD أو YYYY
claim-invalid-phone-number = استخدم الصيغة الدولية، مثل +966112345678
claim-invalid-locale = أدخل رمز لغة، مثل ar أو pt-BR
field-required = يجب ألا يكون فارغًا
field-too-long = يجب ألا يتجاوز { $max } حرفًا
field-control-characters = يجب ألا يحتوي على أحرف تحكم
field-bidi-characters = يجب ألا يحتوي على أحرف تنسيق ثنائية الاتجاه
field-between = يجب أن يكون بين { $min } و{ $max }
field-between-seconds = يجب أن يكون بين { $min } و{ $max } ثانية
field-between-days = يجب أن يكون بين { $min } و{ $max } يومًا
field-https-url = يجب أن يكون عنوان URL مطلقًا يبدأ بـ https
field-colour = يجب أن يكون لونًا مثل #1a2b3c
field-sign-in-method = يجب أن يقدّم طريقة واحدة على الأقل لتسجيل الدخول: كلمة المرور أو مفتاح المرور أو رمز بالبريد الإلكتروني
field-domain-name = يجب أن يكون اسم نطاق بأحرف صغيرة مثل example.com (والمدوّل بصيغة xn--)
field-scope-token = النطاق (scope) من 1 إلى 128 حرف ASCII قابل للطباعة بلا مسافات ولا '"' ولا '\' (RFC 6749 §3.3)
field-redirect-not-https = لا يُسمح بعناوين إعادة التوجيه عبر http إلا على عنوان الاسترجاع المحلي؛ استخدم https
field-redirect-fragment = يجب ألا يحتوي عنوان إعادة التوجيه على جزء (fragment) (RFC 6749 §3.1.2)
field-redirect-wildcard = يجب ألا يحتوي عنوان إعادة التوجيه على أحرف بدل؛ فهو يُطابق حرفيًا
field-redirect-not-absolute = يجب أن يكون عنوان إعادة التوجيه عنوانًا مطلقًا

## Proving an address

check-mail-intro = أرسلنا رابطًا ورمزًا إلى <strong>{ $email }</strong> لتأكيد أن العنوان عنوانك. افتح الرابط في هذا المتصفح، أو أدخل الرمز هنا. يعمل كلاهما مرة واحدة، لمدة 24 ساعة. هل فتحت الرابط على جهاز آخر؟ أعد تحميل هذه الصفحة.
check-mail-no-mail = لم تصلك رسالة بعد بضع دقائق؟ تحقّق من مجلد الرسائل غير المرغوب فيها، أو
check-mail-resend = إعادة الإرسال
check-mail-wrong-code = هذا الرمز غير صحيح أو لم يعد يعمل. راجع أحدث رسالة، أو أرسل رسالة جديدة.
check-mail-resent = أرسلنا رسالة جديدة. لم تعد الروابط والرموز السابقة تعمل.
verify-title = أكّد عنوان بريدك الإلكتروني
verify-intro = أكّد أن هذا العنوان يخص حسابك في { $tenant }.
verify-submit = تأكيد عنوان البريد الإلكتروني
verify-link-gone = لم يعد هذا الرابط يعمل: فقد استُخدم، أو انتهت صلاحيته، أو حلّت محله رسالة أحدث. سجّل الدخول للحصول على رابط جديد.
verified-title = تم تأكيد عنوان البريد الإلكتروني
verified-message = تم تأكيد عنوان بريدك الإلكتروني. ارجع إلى الصفحة التي أنشأت فيها حسابك، أو سجّل الدخول إلى التطبيق.

## Password reset

recover-title = إعادة تعيين كلمة المرور
recover-intro = أدخل عنوان حسابك في { $tenant }. سنرسل إليه رابطًا لاختيار كلمة مرور جديدة.
recover-submit = إرسال رابط إعادة التعيين
recover-back = العودة إلى تسجيل الدخول
recover-sent = إذا كان للعنوان { $email } حساب، فقد أرسلنا إليه رابطًا لاختيار كلمة مرور جديدة. يعمل الرابط مرة واحدة، لمدة 30 دقيقة.
recover-too-many = وصلت طلبات إعادة تعيين كثيرة جدًا من شبكتك. حاول مرة أخرى بعد ساعة.
recover-mail-limit = أُرسلت عدة رسائل إلى هذا العنوان بالفعل. استخدم أحدثها أو انتظر بضع دقائق.
recover-link-gone = لم يعد رابط إعادة التعيين هذا يعمل: فقد استُخدم، أو انتهت صلاحيته (بعد 30 دقيقة)، أو حلّت محله رسالة أحدث. اطلب رابطًا جديدًا.
new-password-title = اختر كلمة مرور جديدة
new-password-for = للحساب <strong>{ $email }</strong>
new-password-label = كلمة المرور الجديدة
new-password-second-factor = لحسابك خطوة ثانية لتسجيل الدخول: ستُطلب منك قبل أن تصبح كلمة المرور الجديدة سارية.
new-password-submit = تعيين كلمة المرور
recover-passkey-title = إضافة مفتاح مرور
recover-passkey-intro = يسجّل حسابك الدخول بمفاتيح المرور. أنشئ مفتاحًا جديدًا على هذا الجهاز للعودة إلى حسابك؛ تبقى مفاتيح المرور الأخرى صالحة حتى تزيلها.
recover-passkey-code-intro = لحسابك تطبيق مصادقة أو رموز استرداد: أدخل رمزًا من أحدها قبل إضافة مفتاح المرور الجديد.
recover-passkey-code-label = رمز من تطبيق المصادقة، أو رمز استرداد
recover-passkey-code-first = أدخل أولًا رمزًا من تطبيق المصادقة أو رمز استرداد.
recover-passkey-unsupported = تتطلب إضافة مفتاح مرور متصفحًا يدعم مفاتيح المرور وJavaScript. افتح الرابط على الجهاز الذي سيحفظ مفتاحك الجديد.

## Account security

security-heading = تسجيل الدخول والأمان
security-signed-in-as = تم تسجيل الدخول باسم <strong>{ $email }</strong>، باستخدام: <span id="session-sign-in">{ $methods }</span>.
security-confirm-first = لإضافة طريقة لتسجيل الدخول أو إزالتها، <a href="{ $url }">أكّد أولًا أنك أنت</a>.
security-authenticators = أدوات المصادقة لديك
security-password-only = تسجّل الدخول بكلمة المرور فقط. أضف تطبيق مصادقة أو مفتاح مرور لحماية حسابك.
security-added = أُضيف في { $date }
security-last-used = آخر استخدام في { $date }
security-remove = إزالة
security-add = إضافة
security-add-app = إضافة تطبيق مصادقة
security-passkey-name = اسم مفتاح المرور
security-add-passkey = إضافة مفتاح مرور
security-new-recovery-codes = إنشاء رموز استرداد جديدة
security-removed = أُزيلت أداة المصادقة.
security-gone = أداة المصادقة هذه أُزيلت بالفعل.
security-setup-expired = انتهت صلاحية الإعداد. ابدأ من جديد.
security-totp-wrong = هذا الرمز غير صحيح. تحقّق من الوقت على هاتفك وحاول مرة أخرى.
security-totp-ready = تم إعداد تطبيق المصادقة.
security-confirm-before-passkey = أكّد أولًا أنك أنت (الرابط في هذه الصفحة)، ثم أضف مفتاح المرور.
security-passkeys-off = مفاتيح المرور معطّلة.
security-passkey-taken = مفتاح المرور هذا مسجّل بالفعل.
factor-totp = تطبيق المصادقة
factor-passkey = مفتاح مرور
factor-recovery-codes = رموز الاسترداد (المتبقي: { $left })
totp-title = تطبيق المصادقة
totp-heading = إضافة تطبيق مصادقة
totp-intro = امسح هذا الرمز بتطبيق المصادقة، أو أدخل المفتاح يدويًا.
totp-qr-label = رمز QR للمفتاح أدناه
totp-key = المفتاح:
totp-name = الاسم
totp-code-label = الرمز المكوّن من 6 أرقام الذي يعرضه تطبيقك
recovery-codes-title = رموز الاسترداد
recovery-codes-heading = رموز الاسترداد الخاصة بك
recovery-codes-notice = احفظ هذه الرموز في مكان آمن. يتيح لك كل رمز تسجيل الدخول مرة واحدة إذا فقدت أداة المصادقة. لن تُعرض إلا الآن؛ ولم تعد الرموز القديمة تعمل.
recovery-codes-done = تم

## Mails

mail-sign-in-subject = رمز تسجيل الدخول إلى { $tenant }
mail-sign-in-text = رمز تسجيل الدخول الخاص بك هو { $code }
mail-sign-in-link = أو افتح هذا الرابط في المتصفح الذي طلبت منه الرمز:
mail-sign-in-expiry = تنتهي صلاحيتهما بعد 10 دقائق ويعملان مرة واحدة.
mail-sign-in-not-you = إذا لم تحاول تسجيل الدخول، فتجاهل هذه الرسالة.
mail-sign-in-not-you-password = إذا لم تحاول تسجيل الدخول، فربما يعرف شخص ما كلمة مرورك: غيّرها.
mail-verify-subject = أكّد عنوان بريدك الإلكتروني لدى { $tenant }
mail-verify-text =
    رمز التأكيد الخاص بك هو { $code }

    أو افتح هذا الرابط لتأكيد عنوانك:
    { $link }

    يعمل الرمز والرابط مرة واحدة، لمدة 24 ساعة. إذا لم تنشئ حسابًا في { $tenant }، فتجاهل هذه الرسالة: لن يحدث شيء من دونها.
mail-reset-subject = أعد تعيين كلمة مرورك في { $tenant }
mail-reset-text =
    افتح هذا الرابط لاختيار كلمة مرور جديدة لحسابك في { $tenant }:
    { $link }

    يعمل الرابط مرة واحدة، لمدة 30 دقيقة. إذا لم تطلبه، فتجاهل هذه الرسالة: ستبقى كلمة مرورك كما هي.
mail-taken-subject = حاول شخص ما إنشاء حساب في { $tenant } بعنوانك
mail-taken-text =
    حاول شخص ما إنشاء حساب في { $tenant } بعنوان البريد الإلكتروني هذا. لديك حساب بالفعل، لذلك لم يتغير شيء.

    إذا كنت أنت، فسجّل الدخول إلى التطبيق كالمعتاد؛ وإذا نسيت كلمة المرور، فأعد تعيينها من هنا:
    { $link }

    إذا لم تكن أنت، فيمكنك تجاهل هذه الرسالة.
mail-password-changed-subject = تم تغيير كلمة مرورك في { $tenant }
mail-password-changed-text =
    أُعيد تعيين كلمة مرور حسابك في { $tenant } بتاريخ { $when }، وسُجّل الخروج من كل الأجهزة المتصلة به.

    إذا لم تفعل ذلك، فأعد تعيين كلمة المرور فورًا وراجع طرق تسجيل الدخول إلى حسابك:
    { $link }
mail-reset-passkey-subject = عد إلى حسابك في { $tenant }
mail-reset-passkey-text =
    افتح هذا الرابط لإضافة مفتاح مرور جديد إلى حسابك في { $tenant }:
    { $link }

    يعمل مرة واحدة لمدة 30 دقيقة. إن لم تطلبه فتجاهل هذه الرسالة: لن يتغير شيء.
mail-passkey-recovered-subject = أُضيف مفتاح مرور إلى حسابك في { $tenant }
mail-passkey-recovered-text =
    أُضيف مفتاح مرور جديد إلى حسابك في { $tenant } عبر رابط إعادة تعيين في { $when }، وسُجّل الخروج من كل الأجهزة.

    إن لم تفعل ذلك فاستعد حسابك فورًا وأزل مفتاح المرور الذي لا تعرفه:
    { $link }
mail-factor-subject = حسابك في { $tenant }: { $change }
mail-factor-text =
    { $change } في حسابك في { $tenant } ({ $when } UTC{ $from }).

    إذا كنت أنت، فلا حاجة لفعل شيء. وإن لم تكن أنت، فهناك من يعرف كلمة مرورك: غيّرها الآن، وأزل ما لا تعرفه من إعدادات أمان حسابك، وتواصل مع { $tenant }.
mail-factor-from = ، من { $ip }
change-totp-added = أُضيف تطبيق مصادقة
change-recovery-codes = أُنشئت رموز استرداد جديدة
change-factor-removed = أُزيلت طريقة لتسجيل الدخول
change-passkey-added = أُضيف مفتاح مرور

mail-email-change-subject = أكّد عنوان بريدك الإلكتروني الجديد في { $tenant }
mail-email-change-text =
    افتح هذا الرابط لاستخدام هذا العنوان لحسابك في { $tenant }:
    { $link }

    يعمل الرابط مرة واحدة، لمدة 24 ساعة. إذا لم تطلبه، فتجاهل هذه الرسالة: لن يتغير شيء من دونه.
mail-email-changed-subject = تم تغيير عنوان البريد الإلكتروني لحسابك في { $tenant }
mail-email-changed-text =
    يستخدم حسابك في { $tenant } الآن عنوان بريد إلكتروني آخر ({ $new })، ولم يعد هذا العنوان يتيح تسجيل الدخول.

    إذا لم تقم بذلك، فقد يكون شخص ما يستخدم حسابك: أعد تعيين كلمة مرورك باستخدام عنوانك الجديد، أو تواصل مع دعم { $tenant }.
mail-invitation-subject = أنت مدعو إلى { $tenant }
mail-invitation-text =
    أنت مدعو لإنشاء حسابك في { $tenant }. افتح هذا الرابط لاختيار كلمة مرورك:
    { $link }

    يعمل الرابط مرة واحدة، حتى { $until }. إذا لم تكن تريد حسابًا، فتجاهل هذه الرسالة.

## Account centre

account-nav-label = الحساب
account-sign-out = تسجيل الخروج
account-not-set = غير محدد
nav-overview = نظرة عامة
nav-overview-about = حسابك في لمحة.
nav-profile = الملف الشخصي
nav-profile-about = اسمك وبياناتك.
nav-password = كلمة المرور
nav-password-about = غيّر كلمة المرور أو عيّنها.
nav-security-about = مفاتيح المرور وتطبيق المصادقة ورموز الاسترداد.
nav-sessions = الجلسات
nav-sessions-about = أين سجّلت الدخول، وتسجيل الخروج من هناك.
nav-apps = التطبيقات المتصلة
nav-apps-about = التطبيقات التي سمحت لها باستخدام حسابك.
nav-agents = الوكلاء
nav-agents-about = وكلاء الذكاء الاصطناعي الذين سمحت لهم بالتصرف نيابةً عنك.
nav-privacy = الخصوصية
nav-privacy-about = بياناتك.
overview-title = حسابك
overview-name-missing = غير محدد. <a href="{ $url }">أضف اسمك</a>
overview-verified = { $email } (تم التحقق منه)
overview-not-verified = { $email } (لم يتم التحقق منه)
overview-what-you-can-do = ما يمكنك فعله هنا
profile-verified = تم التحقق من هذا العنوان.
profile-not-verified = لم يتم التحقق من هذا العنوان بعد.
profile-email-confirm-first = لتغيير عنوانك، <a href="{ $url }">أكّد أولًا أنك أنت</a>.
profile-new-email = عنوان البريد الإلكتروني الجديد
profile-new-email-hint = نرسل رابطًا إلى العنوان الجديد؛ ويتم التغيير عندما تفتحه.
profile-change-email = تغيير البريد الإلكتروني
profile-details = بياناتك
profile-details-intro = اترك الحقل فارغًا لإزالته. تتلقى هذه البيانات التطبيقاتُ التي تسمح لها برؤية ملفك الشخصي.
profile-phone-hint = مع رمز الدولة، مثل +966112345678.
profile-birthdate-hint = بصيغة السنة-الشهر-اليوم، مثل 1990-12-31، أو السنة فقط.
profile-save = حفظ
profile-saved = تم حفظ ملفك الشخصي.
profile-email-sent = أرسلنا رابطًا إلى العنوان الجديد. يتغير عنوانك عندما تفتحه.
profile-error-phone = أدخل رقم الهاتف مع + ورمز الدولة، مثل +966112345678.
profile-error-birthdate = أدخل تاريخ الميلاد بصيغة السنة-الشهر-اليوم، مثل 1990-12-31، أو السنة فقط.
profile-error-locale = اختر لغة من القائمة.
profile-error-bidi = يجب ألا يحتوي { $field } على أحرف غير مرئية تغيّر اتجاه النص.
profile-error-control = يجب ألا يحتوي { $field } على أحرف تحكم (مثل فواصل الأسطر أو علامات الجدولة).
profile-error-too-long = يجب ألا يتجاوز { $field } { $max } حرفًا.
email-change-same = هذا هو عنوانك بالفعل.
email-change-domain-refused = لا يمكن استخدام عناوين من هذا النطاق هنا.
email-change-link-gone = لم يعد هذا الرابط يعمل: فقد استُخدم، أو انتهت صلاحيته، أو حلّ محله طلب أحدث. اطلبه مرة أخرى من ملفك الشخصي.
email-change-taken = هذا العنوان يخص حسابًا آخر الآن.
email-change-changed-title = تم تغيير عنوان البريد الإلكتروني
email-change-changed = يستخدم حسابك الآن { $email }. سجّل الدخول به من الآن فصاعدًا.
email-change-back-to-profile = العودة إلى ملفك الشخصي
password-set-title = تعيين كلمة مرور
password-none-yet = تسجّل الدخول حاليًا دون كلمة مرور. يمكنك إضافة كلمة مرور كطريقة أخرى لتسجيل الدخول.
password-confirm-change = لتغيير كلمة المرور، <a href="{ $url }">أكّد أولًا أنك أنت</a>.
password-confirm-set = لتعيين كلمة المرور، <a href="{ $url }">أكّد أولًا أنك أنت</a>.
password-rules-heading = قواعد كلمة المرور الجديدة
password-rule-max = الحد الأقصى { $max } بايت (أي ما يقارب هذا العدد من الأحرف).
password-rule-not-common = ألّا تكون من كلمات المرور الأكثر استخدامًا: فهي أول ما يُخمَّن.
password-rule-phrase = عبارة من بضع كلمات لا رابط بينها سهلة التذكر وصعبة التخمين.
password-signs-out = يؤدي تغيير كلمة المرور إلى تسجيل خروجك من كل مكان آخر، وستطلب منك التطبيقات تسجيل الدخول مجددًا.
password-current = كلمة المرور الحالية
password-change = تغيير كلمة المرور
password-changed = تم تغيير كلمة المرور. وتم تسجيل خروجك من كل مكان آخر.
password-was-set = تم تعيين كلمة المرور. يمكنك الآن تسجيل الدخول بها.
password-wrong-current = هذه ليست كلمة المرور الحالية.
password-enter-new = أدخل كلمة مرور جديدة.
password-new-too-short = يجب ألا يقل عدد أحرف كلمة المرور الجديدة عن { $min }.
password-new-too-long = يجب ألا يتجاوز حجم كلمة المرور الجديدة { $max } بايت.
password-new-too-common = كلمة المرور الجديدة شائعة جدًا؛ اختر غيرها.
password-new-refused = كلمة المرور الجديدة: { $reason }.
sessions-intro = الأماكن التي سجّلت فيها الدخول إلى { $tenant }. يسري تسجيل الخروج من أي مكان عند فتح صفحته التالية.
sessions-confirm-first = لتسجيل الخروج من الجلسات الأخرى، <a href="{ $url }">أكّد أولًا أنك أنت</a>.
sessions-this-device-browser = { $browser } (هذا الجهاز)
sessions-this-device = هذا الجهاز
sessions-signed-in = تسجيل الدخول
sessions-last-active = آخر نشاط
sessions-signed-in-with = طريقة تسجيل الدخول
sessions-sign-out-others = تسجيل الخروج من كل مكان آخر
sessions-none-elsewhere = لم تسجّل الدخول في أي مكان آخر.
sessions-ended = تم تسجيل الخروج من تلك الجلسة.
sessions-ended-others = تم تسجيل خروجك من كل مكان آخر.
sessions-use-sign-out = لتسجيل الخروج من هذا الجهاز، استخدم «تسجيل الخروج».
sessions-gone = انتهت تلك الجلسة بالفعل.
browser-on = { $browser } على { $system }
browser-any-on = متصفح على { $system }
browser-any = متصفح
time-unknown = غير معروف
sign-in-password-otp = كلمة المرور ورمز لمرة واحدة (تطبيق مصادقة أو رمز استرداد)
sign-in-password-email = كلمة المرور ورمز عبر البريد الإلكتروني
sign-in-email = رمز عبر البريد الإلكتروني
sign-in-password-second = كلمة المرور وعامل ثانٍ
sign-in-other = طريقة أخرى لتسجيل الدخول
apps-intro = التطبيقات التي سمحت لها باستخدام حسابك في { $tenant }. تؤدي إزالة الوصول إلى تسجيل خروج التطبيق: وسيتعين عليه أن يطلب إذنك مجددًا.
apps-confirm-first = لإزالة وصول تطبيق، <a href="{ $url }">أكّد أولًا أنك أنت</a>.
apps-none = لا توجد تطبيقات لها وصول إلى حسابك.
apps-allowed = سُمح له في { $date }. يمكنه:
apps-remove = إزالة الوصول
apps-removed = تمت إزالة وصول التطبيق. سيتعين عليه أن يطلب إذنك مجددًا.
apps-gone = ليس لهذا التطبيق وصول لإزالته.
apps-launch-heading = تسجيل الدخول إلى تطبيق
apps-open = فتح { $app }
agents-intro = وكلاء الذكاء الاصطناعي الذين سمحت لهم بالتصرف نيابةً عنك. يؤدي إلغاء إذن وكيل إلى إيقافه فورًا، مع كل الرموز المميزة التي يحملها.
agents-confirm-first = لإلغاء إذن وكيل، <a href="{ $url }">أكّد أولًا أنك أنت</a>.
agents-none = لم تسمح لأي وكيل بالتصرف نيابةً عنك.
agents-operated = يشغّله <strong>{ $owner }</strong>. سُمح له في { $date }.
agents-unknown-owner = غير معروف
agents-revoked-on = أُلغي في { $date }.
agents-active-until = نشط حتى { $date }.
agents-ended-on = انتهى في { $date }.
agents-revoke = إلغاء الإذن
agents-revoked = تم إلغاء إذن الوكيل. لم يعد بإمكانه التصرف نيابةً عنك.
agents-gone = ليس لهذا الوكيل وصول لإلغائه.
privacy-download = تنزيل بياناتي
privacy-download-text = احصل على نسخة من كل ما يحتفظ به { $tenant } عنك، في ملف واحد (JSON). يُجهَّز في الخلفية ويُحتفظ به لمدة ساعة.
privacy-delete = حذف حسابي
privacy-delete-text = يؤدي حذف حسابك إلى إنهاء جلساتك وإيقاف التطبيقات والوكلاء الذين سمحت لهم ومحو كل ما يحتفظ به { $tenant } عنك. لا يمكن التراجع عن ذلك.

## تسجيل الدخول عبر مزوّدين آخرين (OpenID Connect خارجي)
login-continue-with = المتابعة باستخدام { $provider }
login-link-notice = يوجد حساب بالعنوان { $email } بالفعل. سجّل الدخول إليه مرة واحدة لربط حسابك في { $provider }؛ بعد ذلك يسجّل { $provider } دخولك.
login-upstream-domain = لا يمكن استخدام عنوان البريد الإلكتروني لحسابك في { $provider } هنا.
login-upstream-no-account = لا يوجد حساب هنا مرتبط بحسابك في { $provider }. سجّل الدخول بطريقة أخرى.
login-upstream-no-email = لم يشارك { $provider } عنوان بريد إلكتروني، والحساب هنا يحتاج إليه.
login-upstream-disabled = لا يمكن لهذا الحساب تسجيل الدخول.
error-upstream-failed = لم ينجح تسجيل الدخول عبر هذا المزوّد. حاول مرة أخرى أو سجّل الدخول بطريقة أخرى.
error-upstream-unknown = خيار تسجيل الدخول هذا غير متاح.
sign-in-upstream = تسجيل الدخول عبر مزوّد آخر
sign-in-upstream-mfa = تسجيل الدخول عبر مزوّد آخر بأكثر من عامل
security-linked-accounts = الحسابات المرتبطة
security-linked = رُبط في { $date }
security-unlink = إلغاء الربط
security-unlink-named = إلغاء ربط { $provider }
security-unlinked = أُلغي ربط الحساب.
security-unlink-last = هذه طريقتك الوحيدة لتسجيل الدخول، لذا تبقى مرتبطة. أضف كلمة مرور أو مفتاح مرور أولًا.
security-link-gone = لم يعد هذا الحساب مرتبطًا.
purposes-title = قبل المتابعة
purposes-intro = يطلب { $tenant } موافقتك على ما يلي.
purposes-accept = أوافق على { $title }
purposes-read = اقرأ { $title }
purposes-required = وافق على { $title } للمتابعة.
privacy-consents = موافقاتك
privacy-consents-text = ما وافقت عليه ومتى. يمكنك سحب أي موافقة في أي وقت: تتوقف تطبيقاتك عن تلقي ما تغطيه بدءًا من رمزها التالي.
privacy-granted = مُنحت في { $date } (الإصدار { $version })
privacy-declined = غير ممنوحة
privacy-withdraw = سحب { $title }
privacy-grant = منح { $title }
privacy-needed = مطلوبة لاستخدام حسابك؛ تنتهي عند حذف حسابك.
purpose-terms = شروط الخدمة
purpose-privacy = إشعار الخصوصية
privacy-data = بياناتك
privacy-preparing = يجري تجهيز بياناتك. تتحدّث هذه الصفحة تلقائيًا، ويمكنك أيضًا إعادة تحميلها.
privacy-ready = بياناتك جاهزة.
privacy-save = حفظ بياناتي
privacy-export-gone = استُخدم رابط التنزيل هذا أو انتهت صلاحيته. اطلب بياناتك مرة أخرى من صفحة الخصوصية.
privacy-delete-heading = حسابك
privacy-delete-confirm = أفهم أن حسابي وبياناتي ستُمحى نهائيًا
privacy-delete-confirm-required = حدّد المربع لتأكيد حذف حسابك.
privacy-deleted-title = حُذف الحساب
privacy-deleted = مُحي حسابك لدى { $tenant } وبياناتك.
privacy-confirm-first = لتنزيل بياناتك أو حذف حسابك، <a href="{ $url }">أكّد أولًا أنك أنت</a>.
privacy-deletion-scheduled = أُغلق حسابك لدى { $tenant } وسيُمحى مع بياناتك في { $date }. هل غيّرت رأيك؟ في الرسالة التي أرسلناها إليك رابط للاحتفاظ به حتى ذلك الحين.
purpose-documents-version = الإصدار { $version }

## طلبات الموافقة (المصادقة عبر القناة الخلفية، account/approvals)
nav-approvals = طلبات الموافقة
nav-approvals-about = ما تطلب منك التطبيقات والوكلاء الموافقة عليه.
approvals-intro = يمكن للتطبيقات ووكلاء الذكاء الاصطناعي التي تستخدمها أن تطلب موافقتك قبل أن تفعل شيئًا. وافق فقط على ما تتوقعه، وتحقق من أن المرجع يطابق ما يعرضه لك التطبيق أو الوكيل.
approvals-none = لا يوجد طلب ينتظر ردك.
approvals-live = تتحدث هذه القائمة تلقائيًا.
approvals-from = يطلب { $client } موافقتك
approvals-agent = وكيل ذكاء اصطناعي يديره <strong>{ $owner }</strong>.
approvals-reference = المرجع: <strong>{ $message }</strong>
approvals-details = يطلب:
approvals-scopes = سيحصل على:
approvals-expires = أجب قبل { $date }.
approvals-approve = موافقة
approvals-deny = رفض
approvals-confirm-first = للموافقة على هذا الطلب، <a href="{ $url }">أكّد هويتك</a> أولًا.
approvals-needs-passkey = تتطلب الموافقة على هذا الطلب مفتاح مرور. <a href="{ $url }">أضف مفتاح مرور</a> أولًا.
approvals-approved = وافقت على الطلب.
approvals-denied = رفضت الطلب.
approvals-gone = تمت الإجابة عن هذا الطلب من قبل، أو انتهت صلاحيته، أو سُحب.
mail-approval-reference = المرجع: { $message }
mail-approval-subject = يطلب { $client } موافقتك
mail-approval-text =
    يطلب منك { $client } الموافقة على طلب لحسابك في { $tenant }:

    { $what }

    راجعه ووافق عليه أو ارفضه قبل { $until }:
    { $link }

    إذا لم تكن تتوقع هذا الطلب، فارفضه.

## الاحتفاظ بحساب ينتظر حذفه (account/keep)
keep-title = الاحتفاظ بحسابك
keep-intro = طلبت حذف حسابك في { $tenant }، وهو مغلق حتى يُمحى. احتفظ به فيُفتح من جديد كما كان.
keep-submit = الاحتفاظ بحسابي
keep-link-gone = لم يعد هذا الرابط يعمل: استُخدم، أو مُحي الحساب أو احتُفظ به من قبل، أو حلّت محله رسالة أحدث.
kept-title = تم الاحتفاظ بحسابك
kept-message = حسابك في { $tenant } مفتوح من جديد. سجّل الدخول كما كنت تفعل.
kept-sign-in = تسجيل الدخول
mail-keep-subject = سيُمحى حسابك في { $tenant } في { $date }
mail-keep-text =
    طلبت حذف حسابك في { $tenant }. وهو مغلق الآن وسيُمحى في { $date }.

    هل غيّرت رأيك؟ افتح هذا الرابط قبل ذلك للاحتفاظ به:
    { $link }

    إذا لم تطلب ذلك، فاحتفظ بالحساب عبر الرابط وغيّر كلمة المرور.

## The administrators' console
console-nav = وحدة التحكم
console-tenants = المستأجرون
console-signed-in-as = مسجّل الدخول باسم { $who }
console-sign-out = تسجيل الخروج
console-tenants-intro = المستأجرون الذين تديرهم.
console-no-tenants = ليس لديك دور في أي مستأجر بعد.
console-users = المستخدمون
console-users-of = مستخدمو { $tenant }
console-search-label = البريد الإلكتروني أو معرّف المستخدم أو بداية الاسم
console-search = بحث
console-col-email = البريد الإلكتروني
console-col-name = الاسم
console-col-status = الحالة
console-status-active = نشط
console-status-disabled = معطّل
console-no-users = لم يُعثر على مستخدمين.
console-next-page = الصفحة التالية
console-back-to-users = العودة إلى المستخدمين
console-user-id = معرّف المستخدم
console-email-verified = البريد الإلكتروني مؤكَّد
console-yes = نعم
console-no = لا
console-factors = العوامل الثانية ومفاتيح المرور
console-no-factors = لا شيء.
console-factors-hidden = لا يُظهر دورك عوامل هذا المستخدم.
console-reset-factors = إعادة تعيين العوامل
console-reset-question = هل تريد إزالة كل العوامل الثانية ومفاتيح المرور الخاصة بـ { $email }؟ سيسجّل الدخول عندها بما تبقّى (كلمة مرور أو رمز بالبريد) ويُعدّ عوامل جديدة.
console-needs-recent-sign-in = يتطلّب هذا تسجيل دخول خلال آخر 15 دقيقة.
console-sign-in-again = سجّل الدخول مجددًا
console-cancel = إلغاء
console-factors-were-reset = أُزيلت كل العوامل الثانية ومفاتيح المرور لهذا المستخدم.
console-not-found = غير موجود.
console-forbidden = لا يسمح دورك بذلك.
console-form-expired = انتهت صلاحية هذا النموذج. أعد تحميل الصفحة وحاول مجددًا.
console-sign-in-failed = تعذّر إكمال تسجيل الدخول. افتح وحدة التحكم مجددًا للبدء من جديد.
console-actions = الإجراءات
console-sign-out-everywhere = تسجيل الخروج من كل مكان
console-disable = تعطيل الحساب
console-enable = تفعيل الحساب
console-sign-out-question = هل تريد إنهاء كل جلسات { $email } وعمليات تسجيل الدخول التي تحتفظ بها تطبيقاته؟ سيتعيّن عليه تسجيل الدخول مجددًا في كل مكان.
console-disable-question = هل تريد تعطيل حساب { $email }؟ لن يتمكّن من تسجيل الدخول حتى يُفعَّل مجددًا، وسيُسجَّل خروجه من كل مكان الآن.
console-enable-question = هل تريد تفعيل حساب { $email } مجددًا؟ سيتمكّن عندها من تسجيل الدخول كما كان.
console-signed-out-everywhere = سُجِّل خروج هذا المستخدم من كل مكان.
console-was-disabled = عُطِّل هذا الحساب.
console-was-enabled = فُعِّل هذا الحساب.
console-tenant-nav = المستأجر
console-overview = نظرة عامة
console-clients = التطبيقات والوكلاء
console-keys = مفاتيح التوقيع
console-audit = سجل التدقيق
console-administrators = المسؤولون
console-taken = هذا مستخدم بالفعل.
console-secret-of = سرّ جديد لـ { $name }
console-secret-once = انسخ هذا السرّ الآن واحفظه في مكان آمن: فهو يُعرض هذه المرة فقط ولا يمكن عرضه مجددًا.
console-secret = سرّ العميل
console-secret-stored = لقد حفظت السرّ
console-type-to-confirm = اكتب { $word } للتأكيد
console-new-tenant = إنشاء مستأجر
console-create-tenant = إنشاء المستأجر
console-tenant-id = معرّف المستأجر
console-tenant-id-hint = 1-63 من الأحرف الصغيرة والأرقام والشرطات؛ يظهر في عناوين URL الخاصة بالمستأجر ولا يمكن تغييره لاحقًا.
console-tenant-name = الاسم المعروض
console-tenant-created = أُنشئ المستأجر مع مفاتيح التوقيع الخاصة به.
console-region = منطقة البيانات
console-issuer = المُصدِر
console-created = تاريخ الإنشاء
console-delete-tenant = حذف المستأجر
console-delete-tenant-question = هل تريد حذف { $tenant } مع كل مستخدميه وتطبيقاته ووكلائه ومفاتيحه وسجل التدقيق الخاص به؟ لا يمكن التراجع عن ذلك.
console-keys-of = مفاتيح التوقيع لـ { $tenant }
console-keys-intro = تُوقَّع الرموز المميزة بالمفتاح النشط. المفتاح التالي منشور مسبقًا، لذا لا يؤدي التدوير إلى تعطيل العملاء الذين يخزّنون المفاتيح مؤقتًا؛ ويبقى المفتاح المتقاعد منشورًا حتى تنتهي صلاحية الرموز المميزة التي وقّعها.
console-col-kid = معرّف المفتاح
console-col-alg = الخوارزمية
console-col-state = الحالة
console-col-activated = يوقّع منذ
console-col-retired = تاريخ التقاعد
console-key-active = نشط
console-key-next = التالي
console-key-retired = متقاعد
console-rotate-keys = تدوير المفاتيح الآن
console-rotate-keys-question = هل تريد تدوير مفاتيح التوقيع لـ { $tenant } الآن؟ ستبدأ المفاتيح التالية بالتوقيع وتتقاعد المفاتيح النشطة.
console-keys-rotated = دُوِّرت المفاتيح.
console-clients-of = تطبيقات ووكلاء { $tenant }
console-no-clients = لا توجد تطبيقات أو وكلاء بعد.
console-new-client = تسجيل تطبيق
console-new-client-intro = تطبيق يُرسل مستخدميه إلى هنا لتسجيل الدخول. للوكلاء نموذج خاص بهم، مع مشغّلهم ومفاتيحهم وحدودهم القصوى.
console-create-client = تسجيل التطبيق
console-client-name = الاسم
console-client-type = النوع
console-client-id = معرّف العميل
console-client-id-hint = اختياري: 3-128 من A-Z, a-z, 0-9, -, ., _ و ~. إذا تُرك فارغًا، يُولَّد معرّف تلقائيًا.
console-redirect-uris = عناوين URI لإعادة التوجيه
console-redirect-uris-hint = عنوان واحد في كل سطر، ويجب أن يتطابق تمامًا: https، أو http على عنوان استرجاع (loopback)، أو مخطط للاستخدام الخاص لتطبيق أصلي.
console-scopes = النطاقات
console-scopes-hint = أقصى النطاقات التي يمكن لهذا التطبيق طلبها، مفصولةً بمسافات.
console-jwks = المفاتيح العامة (JWK Set)
console-first-party = تطبيق خاص بالمستأجر (طرف أول): لا يُطلب من مستخدميه الموافقة
console-first-party-hint = للتطبيقات الخاصة بالمستأجر فقط. يظل المستخدمون يُسألون عندما يطلب ذلك عبر prompt=consent أو يطلب تفاصيل التفويض.
console-new-agent = تسجيل وكيل
console-new-agent-intro = يُثبت الوكيل هويته بمفاتيحه الخاصة، ولا يتصرف نيابةً عن مستخدم إلا ضمن تفويض وافق عليه ذلك المستخدم. وتقيّد حدوده القصوى كل رمز مميز يحصل عليه.
console-create-agent = تسجيل الوكيل
console-save-client = حفظ التغييرات
console-edit-client = تعديل التطبيق
console-edit-agent = تعديل الوكيل وحدوده القصوى
console-client-saved = حُفظت التغييرات.
console-agent-description-hint = يُعرض على المستخدمين عندما يُطلب منهم الموافقة على تفويض. 500 حرف كحد أقصى.
console-agent-operator-kind = الجهة المشغّلة
console-operator-client = تطبيق تابع لهذا المستأجر
console-operator-user = مستخدم تابع لهذا المستأجر
console-agent-operator-id = معرّف المشغّل
console-agent-operator-hint = معرّف العميل للتطبيق، أو معرّف المستخدم، الذي يشغّل الوكيل.
console-agent-jwks-hint = المفاتيح العامة للوكيل في صورة JWK Set (بصيغة JSON). يوقّع بها تأكيدات العميل الخاصة به (private_key_jwt): فللوكيل مفاتيح، لا كلمة مرور.
console-agent-needs-keys = يُثبت الوكيل هويته بمفاتيحه: أدخل الـ JWK Set الخاص به.
console-agent-scopes-hint = أقصى النطاقات التي يجوز له حملها، مفصولة بمسافات.
console-agent-redirect-uris-hint = اختياري: حيث يعود مسار الموافقة عندما يطلب الوكيل من مستخدم تفويضًا عبر تدفق الرمز. عنوان واحد في كل سطر، ويُطابَق تمامًا.
console-audiences-hint = اختياري: واجهات برمجة التطبيقات (عناوين URI للموارد) التي يمكنه الحصول على رموز مميزة لها، واحدة في كل سطر.
console-max-token-lifetime-hint = بالثواني، 30-3600.
console-max-chain-depth-hint = أقصى عدد من الوكلاء في سلسلة تفويض تنتهي بهذا الوكيل، 1-5.
console-delegation-lifetime-hint = بالثواني، من 60 إلى 31536000 (365 يومًا)؛ و2592000 تعادل 30 يومًا.
console-dpop = إثبات الحيازة (DPoP)
console-dpop-required = مطلوب: كل رمز مميز مرتبط بمفتاح الوكيل
console-dpop-optional = غير مطلوب
console-whole-number = أدخل عددًا صحيحًا.
console-rotation-schedule = جدول التدوير
console-rotation-by-hand = لا تُدوَّر المفاتيح إلا عندما يدوّرها مسؤول.
console-rotation-scheduled = تُدوَّر المفاتيح كل { $days } يوم. التدوير التالي: { $next }.
console-rotate-every = فترة التدوير (بالأيام)
console-rotate-every-hint = 7-730 يومًا. في كل تدوير يُنشر المفتاح التالي قبل أن يبدأ التوقيع بفترة كاملة. اتركه فارغًا لتدوير المفاتيح يدويًا فقط.
console-save-schedule = حفظ الجدول
console-schedule-saved = حُفظ جدول التدوير.
console-jwks-hint = اختياري، لتطبيق سرّي يوقّع طلباته (private_key_jwt) بدلًا من استخدام سرّ: الـ JWK Set الخاص به بصيغة JSON.
console-col-kind = الصنف
console-kind-agent = وكيل ذكاء اصطناعي
console-kind-saml = تطبيق SAML
console-kind-confidential = تطبيق سرّي
console-kind-public = تطبيق عام
console-back-to-clients = العودة إلى التطبيقات والوكلاء
console-auth-method = المصادقة
console-grant-types = أنواع المنح
console-key-id = المفتاح { $kid }
console-agent = الوكيل
console-agent-description = ما يفعله
console-agent-operator = المشغّل
console-operated-by-user = المستخدم { $id }
console-operated-by-client = التطبيق { $id }
console-status-suspended = معلّق
console-ceilings = الحدود القصوى
console-allowed-audiences = الخدمات التي يمكنه الحصول على رموز مميزة لها
console-max-token-lifetime = أطول مدة صلاحية للرمز المميز
console-max-chain-depth = أطول سلسلة من الوكلاء
console-delegation-lifetime = مدة التفويض
console-seconds = { $n } ثانية
console-rotate-secret = إصدار سرّ جديد
console-rotate-secret-question = هل تريد إصدار سرّ جديد لـ { $name }؟ سيتوقف السرّ الحالي عن العمل فورًا.
console-secret-rotated = أُصدر سرّ جديد.
console-suspend-agent = تعليق الوكيل
console-suspend-question = هل تريد تعليق { $name }؟ لن يتمكّن من الحصول على رموز مميزة حتى يُستأنف؛ وتبقى تفويضاته قائمة.
console-agent-suspended = عُلِّق الوكيل.
console-resume-agent = استئناف الوكيل
console-resume-question = هل تريد استئناف { $name }؟ سيتمكّن من الحصول على رموز مميزة مجددًا ضمن حدود تفويضاته.
console-agent-resumed = استُؤنف الوكيل.
console-delete-client = حذف
console-delete-client-question = هل تريد حذف { $name }؟ لن يتمكّن بعد ذلك من تسجيل دخول أي أحد أو الحصول على رموز مميزة؛ وتنتهي تفويضات الوكيل بحذفه.
console-client-deleted = تم الحذف.
console-audit-of = سجل التدقيق لـ { $tenant }
console-verify-chain = التحقق من السلسلة
console-chain-intact = السلسلة سليمة: عدد الأحداث التي فُحصت { $count }.
console-chain-broken = السلسلة مكسورة: { $why }
console-audit-filters = تصفية الأحداث
console-agent-or-client = الوكيل أو التطبيق
console-event-type = نوع الحدث
console-event-type-hint = مثلًا token.exchanged أو user.signed_in.
console-since = من (يوم)
console-until = إلى (يوم)
console-not-a-day = أدخل يومًا بالصيغة YYYY-MM-DD.
console-filter = تصفية
console-no-events = لا توجد أحداث مطابقة.
console-events = الأحداث
console-col-time = الوقت
console-col-reason = السبب
console-denied = مرفوض
console-administrators-of = مسؤولو { $tenant }
console-add-administrator = إضافة مسؤول
console-add-administrator-intro = امنح شخصًا دورًا في هذا المستأجر عبر عنوان بريده الإلكتروني. إذا لم يكن للعنوان حساب مسؤول، يُنشأ له حساب وتُرسل إليه رسالة فيها رابط لإعداد طريقة تسجيل دخوله.
console-role = الدور
console-no-administrators = لا أحد يشغل دورًا في هذا المستأجر.
console-col-who = مَن
console-col-since = منذ
console-remove-role = سحب
console-remove-role-of = سحب دور { $who }
console-administrator-added = مُنح الدور.
console-administrator-invited = مُنح الدور، وأُرسلت إلى المسؤول الجديد رسالة فيها رابط لإعداد طريقة تسجيل دخوله.
console-administrator-removed = سُحب الدور.
console-service-account = حساب الخدمة { $id }
console-new-user = إنشاء مستخدم
console-create-user = إنشاء المستخدم
console-edit-user = تعديل الملف الشخصي
console-save = حفظ
console-initial-password = كلمة المرور
console-initial-password-hint = اختياري. إذا تُرك فارغًا، تُرسل إلى المستخدم رسالة فيها رابط لإعداد طريقة تسجيل دخوله.
console-user-created = أُنشئ المستخدم.
console-user-saved = حُفظت التغييرات.
console-send-reset = إرسال رسالة إعادة تعيين كلمة المرور
console-send-verification = إرسال رسالة التحقق
console-mail-sent = أُرسلت الرسالة.
console-sessions = الجلسات
console-no-sessions = لا توجد جلسات.
console-col-how = طريقة تسجيل الدخول
console-col-browser = المتصفح
console-end-session = إنهاء
console-end-session-from = إنهاء الجلسة التي بدأت في { $since }
console-session-ended = أُنهيت الجلسة.
console-consents = الموافقات
console-no-consents = لا توجد موافقات.
console-withdraw-consent = سحب
console-withdraw-consent-to = سحب الموافقة الممنوحة لـ { $client }
console-consent-withdrawn = سُحبت الموافقة؛ وسيطلبها التطبيق مجددًا في المرة القادمة.
console-delegations = التفويضات إلى الوكلاء
console-no-delegations = لا توجد تفويضات.
console-col-until = حتى
console-status-revoked = مُلغى
console-status-expired = منتهي الصلاحية
console-revoke-delegation = إلغاء
console-revoke-delegation-to = إلغاء التفويض الممنوح لـ { $agent }
console-delegation-revoked = أُلغي التفويض؛ وتتوقف الرموز المميزة التي حصل عليها الوكيل بموجبه عن العمل فورًا.
console-identities = الهويات المرتبطة
console-no-identities = لا توجد هويات مرتبطة.
console-settings = الإعدادات
console-settings-read-only = يُظهر دورك هذه الإعدادات دون أن يسمح بتغييرها.
console-locale-default = الافتراضية (الإنجليزية)
console-signup-mode = إنشاء الحسابات
console-signup-closed = مغلق: ينشئ المسؤولون الحسابات
console-signup-open = مفتوح: يمكن لأي شخص إنشاء حساب
console-signup-invite = بالدعوة فقط
console-require-verification = يجب التحقق من عنوان كل حساب جديد
console-require-verification-hint = لا يمكن لحساب لم يُتحقَّق من عنوانه إكمال تسجيل الدخول إلى تطبيق؛ ويُطلب منه تفقّد بريده.
console-allowed-domains = إنشاء الحسابات من هذه النطاقات فقط
console-allowed-domains-hint = اختياري: نطاق واحد في كل سطر؛ وتُشمل النطاقات الفرعية. إذا تُرك فارغًا: أي نطاق.
console-blocked-domains = يُرفض إنشاء الحسابات من هذه النطاقات
console-domains-hint = اختياري: نطاق واحد في كل سطر؛ وتُشمل النطاقات الفرعية.
console-terms-url = شروط الخدمة (عنوان URL)
console-privacy-url = إشعار الخصوصية (عنوان URL)
console-documents-hint = اختياري، https. يطلب عندها نموذج إنشاء الحساب الموافقة عليها، وتُسجَّل هذه الموافقة.
console-login-password = يمكن للمستخدمين تسجيل الدخول بكلمة مرور
console-login-passkey = يمكن للمستخدمين تسجيل الدخول بمفتاح مرور
console-login-email-code = يمكن للمستخدمين تسجيل الدخول برمز يُرسَل عبر البريد الإلكتروني
console-refuse-common = رفض كلمات المرور الشائعة والمسرّبة
console-session-lifetime = مدة صلاحية الجلسة
console-session-lifetime-hint = بالثواني، من 300 (5 دقائق) إلى 34560000 (400 يوم)، أيًّا كان استخدام الجلسة.
console-session-idle = مهلة خمول الجلسة
console-session-idle-hint = بالثواني، من 60 (1 دقيقة) إلى 2592000 (30 يومًا) دون استخدام.
console-mfa = العامل الثاني
console-mfa-never = فقط عندما يطلبه تطبيق
console-mfa-risk = عندما تطلبه سياسة المخاطر أو تطبيق
console-mfa-always = عند كل تسجيل دخول
console-password-min-length = الحد الأدنى لطول كلمة المرور
console-primary-color = اللون الأساسي
console-primary-color-hint = بالصيغة #rrggbb. يجب أن يبلغ النص الأبيض فوقه نسبة تباين 4.5:1؛ ويُرفض اللون الأفتح.
console-logo-uri = الشعار (عنوان URL يبدأ بـ https)
console-default-locale = اللغة الافتراضية
console-risk-policy = سياسة المخاطر (JSON)
console-risk-policy-hint = القواعد والنقاط والعتبات كما في docs/security.md. إذا تُركت فارغة: السياسة الافتراضية.
console-branding-preview = معاينة صفحات تسجيل الدخول
console-branding-preview-label = كيف تبدو صفحات تسجيل الدخول في { $tenant }
console-sample-button = متابعة
console-sample-link = رابط
console-simulator = ما الذي سيحدث
console-simulator-intro = جرّب سياسة المخاطر على تسجيل دخول متخيَّل بكلمة مرور: من عنوان، وبمتصفح، ومن مستخدم (تُحتسب عمليات تسجيل دخوله السابقة). لا يُسجَّل شيء؛ ويُفترض عدم وجود محاولات فاشلة.
console-sim-ip = عنوان IP
console-sim-ua = المتصفح (User-Agent)
console-sim-user = المستخدم (البريد الإلكتروني أو المعرّف)
console-sim-device = الجهاز
console-sim-device-new = متصفح لم يستخدمه من قبل
console-sim-device-known = متصفح سجّل الدخول به من قبل
console-sim-policy = السياسة المراد تجربتها
console-sim-policy-hint = اختياري: سياسة مخاطر بصيغة JSON لتجربتها بدلًا من السياسة المحفوظة.
console-sim-run = عرض ما سيحدث
console-sim-answer = الجواب
console-sim-outcome = النتيجة
console-sim-allow = مسموح
console-sim-deny = مرفوض
console-sim-step-up = يُطلب عامل ثانٍ (المستوى { $acr })
console-sim-score = درجة المخاطر
console-sim-place = الموقع
console-sim-no-rules = لم تنطبق أي قاعدة.
console-sim-rules = القواعد التي انطبقت
console-sim-rule = القاعدة
console-sim-points = النقاط
console-sim-detail = ما لوحظ
console-not-an-address = أدخل عنوان IPv4 أو IPv6.
console-no-such-user = لا يوجد مستخدم في هذا المستأجر بهذا العنوان أو المعرّف.
console-back-to-overview = العودة إلى النظرة العامة
console-activity = النشاط
console-last-day = آخر 24 ساعة
console-last-week = آخر 7 أيام
console-stat-sign-ins = عمليات تسجيل الدخول
console-stat-step-ups = عامل ثانٍ طلبته سياسة المخاطر
console-stat-risk-denials = عمليات تسجيل دخول رفضتها سياسة المخاطر
console-stat-sign-ups = عمليات إنشاء الحسابات
console-stat-issued = الرموز المميزة المُصدَرة
console-stat-refreshed = الرموز المميزة المُجدَّدة
console-stat-exchanged = الرموز المميزة المُتبادَلة (الوكلاء)
console-stat-refused = طلبات الرموز المميزة المرفوضة
console-events-by-type = { $period }: الأحداث حسب النوع
console-tokens-by-grant = { $period }: طلبات الرموز المميزة حسب نوع المنح
console-grant = نوع المنح
console-grant-answered = الرموز المميزة الصادرة
console-grant-refused = المرفوضة
console-grant-code = رمز التفويض
console-grant-refresh = رمز التحديث
console-grant-client-credentials = بيانات اعتماد العميل
console-grant-exchange = تبادل الرموز المميزة
console-grant-device = تفويض الجهاز
console-grant-jwt-bearer = حامل JWT (تسلسل الهوية)
console-grant-ciba = المصادقة عبر القناة الخلفية (CIBA)
console-grant-other = أخرى، أو غير مسجلة
console-allowed = مسموح
console-stepped-up = طُلب عامل ثانٍ
console-denied-col = مرفوض
console-resources = واجهات برمجة التطبيقات
console-resources-of = واجهات برمجة التطبيقات لـ { $tenant }
console-new-resource = تسجيل واجهة برمجة تطبيقات
console-new-resource-intro = واجهة برمجة تطبيقات (خادم موارد) تُصدَر لها رموز الوصول المميزة. يطلبها العملاء بمعرّفها (RFC 8707)، وتحمل رموزها المميزة هذا المعرّف بوصفه الجمهور (audience).
console-create-resource = تسجيل واجهة برمجة التطبيقات
console-resource-id = المعرّف المختصر
console-resource-id-hint = 1-63 من a-z, 0-9 و -، ويُستخدم في عناوين URL الخاصة بالإدارة. لا يمكن تغييره بعد التسجيل.
console-identifier-hint = عنوان URI مطلق، مثل https://api.example.com/orders: وهو ما يطلبه العملاء، والجمهور (audience) الذي تُصدَر له رموزها المميزة.
console-resource-scopes-hint = النطاقات التي تعرّفها، مفصولةً بمسافات، مثل orders:read orders:write. ولا تحمل رموزها المميزة أي نطاق آخر.
console-resource-lifetime-hint = بالثواني، 60-86400.
console-introspection-none = لا: تتحقق من الرموز المميزة بنفسها
console-introspection-secret = نعم، باستخدام سرّ (يُعرض مرة واحدة)
console-resource-added = سُجّلت واجهة برمجة التطبيقات.
console-resource-deleted = حُذفت واجهة برمجة التطبيقات.
console-delete-resource = حذف واجهة برمجة التطبيقات
console-delete-resource-question = هل تريد حذف واجهة برمجة التطبيقات { $name }؟ لن يتمكّن العملاء بعد ذلك من الحصول على رموز مميزة لها.
console-resources-intro = واجهات برمجة التطبيقات التي تُصدَر لها رموز الوصول المميزة (مؤشرات الموارد وفق RFC 8707). أما فحص الرموز المميزة باستخدام المفاتيح، وتعديل واجهة برمجة تطبيقات مسجّلة، فيتمّان عبر واجهة برمجة تطبيقات الإدارة، على المسار { $path }.
console-no-resources = لا توجد واجهات برمجة تطبيقات مسجّلة.
console-identifier = المعرّف
console-token-lifetime = مدة صلاحية الرمز المميز
console-introspects = يستخدم فحص الرموز المميزة
console-providers = مزوّدو الهوية
console-providers-of = مزوّدو الهوية لـ { $tenant }
console-providers-intro = المزوّدون الذين يمكن لمستخدمي هذا المستأجر تسجيل الدخول عبرهم: مزوّدو الشبكات الاجتماعية ومزوّدو المؤسسات، عبر OpenID Connect أو SAML. يُضاف مزوّدو OpenID Connect من هنا؛ أما مزوّدو SAML، وسائر الإعدادات الأخرى، فتُدار عبر واجهة برمجة تطبيقات الإدارة، على المسار { $path }.
console-redirect-uri-is = عنوان URI لإعادة التوجيه الذي يجب تسجيله لدى كل مزوّد:
console-new-provider = إضافة مزوّد هوية
console-new-provider-intro = سيتمكّن مستخدمو هذا المستأجر بعد ذلك من تسجيل الدخول بحساباتهم لدى هذا المزوّد. سجّل أولًا لدى المزوّد عنوان URI لإعادة التوجيه المعروض في قائمة المزوّدين.
console-create-provider = إضافة مزوّد الهوية
console-provider-kind = المزوّد
console-provider-name-hint = نص زرّه في صفحة تسجيل الدخول.
console-provider-id = المعرّف
console-provider-id-hint = 1-32 من a-z, 0-9 و -. لا يمكن تغييره بعد الإضافة.
console-provider-issuer-hint = لـ OpenID Connect: المُصدِر الخاص بالمزوّد، الذي تُعرف إعداداته عبر الاكتشاف (discovery). لكلٍّ من Google وMicrosoft وGitHub مُصدِره الخاص: اترك الحقل فارغًا.
console-provider-client-id-hint = معرّف العميل الخاص بهذا المستأجر لدى المزوّد.
console-provider-secret = سرّ العميل
console-provider-secret-hint = سرّ العميل الخاص بهذا المستأجر لدى المزوّد. يُخزَّن مشفّرًا ولا يُعرض مرة أخرى أبدًا.
console-home-realm-hint = اختياري: تُرسَل العناوين التابعة لأسماء النطاقات هذه مباشرةً إلى هذا المزوّد، اسم نطاق واحد في كل سطر.
console-provider-create-users = عند أول تسجيل دخول
console-provider-create-yes = إنشاء حساب لمستخدم جديد
console-provider-create-no = المستخدمون الذين لديهم حساب بالفعل فقط
console-provider-added = أُضيف مزوّد الهوية.
console-provider-deleted = أُزيل مزوّد الهوية.
console-delete-provider = إزالة مزوّد الهوية
console-delete-provider-question = هل تريد إزالة { $name }؟ سيختفي زرّه من صفحة تسجيل الدخول، وسيُلغى ربط الحسابات المرتبطة عبره: فيسجّل مستخدموها الدخول بطريقة أخرى.
console-delete-of = حذف { $name }
console-no-providers = لم يُهيَّأ أي مزوّد هوية.
console-home-realm = يُوجَّه إليه حسب العنوان
