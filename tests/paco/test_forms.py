"""The one form layer (paco.forms): gov.br markup, required marks, errors, passwords, file size."""

import re

from django import forms

from paco.forms import MultipleFileField


class SampleForm(forms.Form):
    name = forms.CharField(label="Nome")
    kind = forms.ChoiceField(label="Tipo", choices=[("a", "Alfa"), ("b", "Beta")], widget=forms.RadioSelect)
    note = forms.CharField(label="Observação", required=False, widget=forms.Textarea)
    unit = forms.ChoiceField(label="Unidade", choices=[("x", "X")])
    agree = forms.BooleanField(label="Concordo")
    password = forms.CharField(label="Senha", widget=forms.PasswordInput)
    files = MultipleFileField(label="Arquivos", required=False)


def test_every_widget_sits_in_its_gov_br_component_with_its_label():
    html = str(SampleForm())

    assert '<div class="br-input">' in html
    assert '<label for="id_name">Nome</label><span class="paco-required" aria-hidden="true">*</span>' in html
    assert '<div class="br-radio"><input type="radio" name="kind" value="a"' in html
    assert re.search(r'id="id_kind_0">\s*<label for="id_kind_0">Alfa</label>\s*</div>', html)
    assert '<legend class="paco-label">Tipo<span class="paco-required"' in html
    assert '<div class="br-textarea">' in html
    assert '<label for="id_note">Observação</label>' in html  # optional: no mark
    assert '<div class="br-select paco-select"><div class="br-input">' in html
    assert '<div class="br-checkbox"><input type="checkbox" name="agree"' in html
    assert 'class="br-upload paco-upload"' in html
    assert "Campos marcados com" in html


def test_all_errors_show_at_once_with_a_summary():
    form = SampleForm(data={"password": "segredo-1234"})

    html = str(form)

    assert 'class="br-message danger paco-form-errors"' in html
    for field in ("id_name", "id_kind", "id_unit", "id_agree"):
        assert f'<a href="#{field}">' in html
        assert f'id="{field}_error"' in html
    assert 'aria-invalid="true"' in html


def test_a_password_is_kept_when_another_field_failed_and_wiped_when_itself_failed():
    kept = SampleForm(data={"password": "segredo-1234"})
    kept.is_valid()
    wiped = SampleForm(data={"password": "segredo-1234"})
    wiped.is_valid()
    wiped.add_error("password", "Senha fraca.")

    assert 'value="segredo-1234"' in str(kept["password"])
    assert "segredo-1234" not in str(wiped["password"])
    assert "segredo-1234" not in str(SampleForm(initial={"password": "segredo-1234"})["password"])


def test_file_inputs_carry_the_server_limit_for_the_browser(settings):
    settings.ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024

    html = str(SampleForm()["files"])

    assert 'data-max-bytes="5242880"' in html
    assert "passa do limite de 5,0" in html
    assert " multiple" in html
