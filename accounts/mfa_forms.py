"""allauth's second-factor forms with a phone's number pad: the codes (TOTP and recovery) are digits.

Named in ``MFA_FORMS``; allauth keeps every check, these only change how the field is typed in.
"""

from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.totp.forms import ActivateTOTPForm

#: A number pad on phones, the code the phone's authenticator suggests, nothing spell-checked.
CODE_INPUT = {"inputmode": "numeric", "autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"}


class _CodeTypedOnNumberPad:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(CODE_INPUT)


class CodeAuthenticateForm(_CodeTypedOnNumberPad, AuthenticateForm):
    pass


class CodeReauthenticateForm(_CodeTypedOnNumberPad, ReauthenticateForm):
    pass


class CodeActivateTOTPForm(_CodeTypedOnNumberPad, ActivateTOTPForm):
    pass
