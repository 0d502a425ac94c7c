"""Forms of the check pages (the reviewer's decision, the appeal decision, reassignment; the supplier's
answer and appeal). Shape only: what a decision needs is decided by inspections.services.checks, whose
messages land on these fields, so the forms require nothing themselves."""

from django import forms
from django.utils.translation import gettext_lazy as _

from inspections.services.checks import DECISIONS, ReviewItem
from inspections.workflow import CheckAction
from suppliers.forms import DateInput

MAX_FILES = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks and re-encodes each (core.uploads)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("At most %(count)d files at a time.") % {"count": MAX_FILES})
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class DecisionForm(forms.Form):
    action = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect)
    items = forms.MultipleChoiceField(
        label=_("Items examined"),
        choices=ReviewItem.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    finding = forms.CharField(
        label=_("What was found (the supplier reads this)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    deadline = forms.DateField(label=_("Rectify by"), widget=DateInput, required=False)
    freeze = forms.BooleanField(label=_("Freeze the listing until the re-check"), required=False)
    photos = MultipleFileField(label=_("Photos (JPEG, PNG)"))
    documents = MultipleFileField(label=_("Documents (PDF, JPEG, PNG)"))
    test_purchase = forms.CharField(
        label=_("Test purchase (what was bought, when, what arrived)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(CheckAction.choices)
        self.fields["action"].choices = [(a, labels[a]) for a in DECISIONS if a in actions]


class AppealDecisionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (CheckAction.UPHOLD, CheckAction.UPHOLD.label),
            (CheckAction.OVERTURN, CheckAction.OVERTURN.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Reason (the supplier reads this)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )


class ReassignForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=None)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, reviewers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers


class RespondForm(forms.Form):
    response = forms.CharField(
        label=_("What you changed"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=4000
    )
    files = MultipleFileField(label=_("Photos or documents (optional)"))


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the finding is wrong"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )
