from django import forms
from django.utils.translation import gettext_lazy as _


class NotificationTemplateForm(forms.Form):
    subject = forms.CharField(label=_("Assunto do e-mail"), max_length=200)
    email_body = forms.CharField(label=_("Texto do e-mail"), widget=forms.Textarea(attrs={"rows": 10}))
    sms_body = forms.CharField(
        label=_("Texto do SMS"),
        max_length=320,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Até 320 caracteres. Mensagens longas são cobradas como vários SMS."),
    )
