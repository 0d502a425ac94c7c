import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from accounts.models import Notification
from core.workflow import Actor
from suppliers import services
from suppliers.models import SupplierEvent, SupplierStatus, SuspensionCause
from suppliers.workflow import SUPPLIER_LIFECYCLE, Action
from tests.factories import CountyOfficerFactory, OpsFactory, eligible_county

S = SupplierStatus


def test_the_table_covers_every_state_and_no_state_is_a_dead_end_except_the_final_ones():
    reachable = {t.target for t in SUPPLIER_LIFECYCLE.transitions} | {S.DRAFT}
    assert reachable == set(S.values)
    leaving = {s for t in SUPPLIER_LIFECYCLE.transitions for s in t.sources}
    assert set(S.values) - leaving == {S.REJECTED, S.TERMINATED}


def test_allowed_actions_per_actor():
    assert SUPPLIER_LIFECYCLE.allowed(S.DRAFT, Actor.SUPPLIER) == [Action.SUBMIT]
    assert set(SUPPLIER_LIFECYCLE.allowed(S.SUBMITTED, Actor.COUNTY)) == {Action.ENDORSE, Action.RETURN}
    assert set(SUPPLIER_LIFECYCLE.allowed(S.ENDORSED, Actor.OPS)) == {
        Action.APPROVE,
        Action.REJECT,
        Action.REQUEST_CHANGES,
    }
    assert set(SUPPLIER_LIFECYCLE.allowed(S.ACTIVE, Actor.OPS)) == {Action.SUSPEND, Action.TERMINATE}
    assert SUPPLIER_LIFECYCLE.allowed(S.ACTIVE, Actor.SUPPLIER) == []
    assert SUPPLIER_LIFECYCLE.allowed(S.TERMINATED, Actor.OPS) == []


def test_the_whole_path_is_recorded_with_who_and_why(onboarding):
    supplier, user = onboarding.draft()
    services.supplier_transition(supplier=supplier, action=Action.SUBMIT, by=user)
    services.supplier_transition(
        supplier=supplier, action=Action.ENDORSE, by=onboarding.officer, reason="本县企业"
    )
    supplier = services.supplier_transition(
        supplier=supplier, action=Action.APPROVE, by=onboarding.ops, reason="资质齐全"
    )
    assert supplier.status == S.ACTIVE and supplier.is_active
    events = list(
        SupplierEvent.objects.filter(supplier=supplier).values_list(
            "action", "from_status", "to_status", "actor", "actor_role", "reason"
        )
    )
    assert events == [
        ("submit", "draft", "submitted", user.pk, "supplier", ""),
        ("endorse", "submitted", "endorsed", onboarding.officer.pk, "county", "本县企业"),
        ("approve", "endorsed", "active", onboarding.ops.pk, "ops", "资质齐全"),
    ]
    # The county heard about the submission; the supplier about each decision, with the reason.
    assert Notification.objects.filter(user=onboarding.officer).count() == 1
    messages = list(Notification.objects.filter(user=user).order_by("id").values_list("body", flat=True))
    assert len(messages) == 2 and "资质齐全" in messages[1]


def test_each_reader_gets_the_news_in_their_own_language(onboarding):
    supplier, user = onboarding.draft()
    user.language = "en"
    user.save(update_fields=["language"])
    onboarding.officer.language = "zh-hans"
    onboarding.officer.save(update_fields=["language"])
    with translation.override("en"):  # the supplier submits from the English pages
        services.supplier_transition(supplier=supplier, action=Action.SUBMIT, by=user)
    to_county = Notification.objects.get(user=onboarding.officer)
    assert to_county.subject == f"新的入驻申请待认定：{supplier.legal_name}"
    assert to_county.link == f"/county/applications/{supplier.pk}/"
    with translation.override("zh-hans"):  # the county office works in Chinese
        services.supplier_transition(
            supplier=supplier, action=Action.ENDORSE, by=onboarding.officer, reason="本县企业"
        )
    to_supplier = Notification.objects.filter(user=user).latest("id")
    assert to_supplier.subject == f"Endorse as a local supplier: {supplier.legal_name}"
    assert (
        to_supplier.body
        == "Your supplier status is now “Endorsed by county, awaiting review”.\nReason: 本县企业"
    )


def test_submit_is_refused_until_the_application_is_complete(onboarding):
    supplier, user = onboarding.draft(complete=False)
    with translation.override("en"), pytest.raises(ValidationError) as info:
        services.supplier_transition(supplier=supplier, action=Action.SUBMIT, by=user)
    assert info.value.messages[0].startswith("Fill in: unified social credit code、legal representative")
    assert "Upload a valid Business licence (营业执照)." in info.value.messages
    supplier.refresh_from_db()
    assert supplier.status == S.DRAFT
    assert not SupplierEvent.objects.filter(supplier=supplier).exists()


def test_submit_needs_the_licences_its_products_require(onboarding):
    supplier, user = onboarding.draft(product_lines=["honey"])
    with translation.override("en"), pytest.raises(ValidationError) as info:
        services.supplier_transition(supplier=supplier, action=Action.SUBMIT, by=user)
    assert info.value.messages == ["Upload a valid Food production licence (食品生产许可证)."]


@pytest.mark.parametrize(
    "state,action",
    [
        ("submitted", Action.APPROVE),  # ops cannot skip the county
        ("endorsed", Action.ENDORSE),
        ("active", Action.SUBMIT),
        ("active", Action.REINSTATE),
    ],
)
def test_transitions_from_the_wrong_state_are_refused(onboarding, state, action):
    supplier, user = onboarding.draft()
    supplier = onboarding.to(supplier, user, state)
    actor = {Action.APPROVE: onboarding.ops, Action.ENDORSE: onboarding.officer, Action.SUBMIT: user}.get(
        action, onboarding.ops
    )
    before = SupplierEvent.objects.count()
    with pytest.raises(ValidationError) as info:
        services.supplier_transition(supplier=supplier, action=action, by=actor, reason="x")
    assert info.value.code == "invalid_transition"
    supplier.refresh_from_db()
    assert supplier.status == state
    assert SupplierEvent.objects.count() == before


def test_only_the_suppliers_own_county_endorses(onboarding):
    supplier, user = onboarding.draft()
    supplier = onboarding.to(supplier, user, "submitted")
    other = CountyOfficerFactory(county_office__county=eligible_county(3))
    with pytest.raises(PermissionDenied):
        services.supplier_transition(supplier=supplier, action=Action.ENDORSE, by=other, reason="x")
    with pytest.raises(PermissionDenied):  # a supplier cannot endorse itself
        services.supplier_transition(supplier=supplier, action=Action.ENDORSE, by=user, reason="x")


def test_ops_need_the_change_permission(onboarding):
    supplier, user = onboarding.draft()
    supplier = onboarding.to(supplier, user, "endorsed")
    for ops in (OpsFactory(), OpsFactory(teams=["data_ops"])):
        with pytest.raises(PermissionDenied):
            services.supplier_transition(supplier=supplier, action=Action.APPROVE, by=ops, reason="x")


def test_decisions_need_a_reason(onboarding):
    supplier, user = onboarding.draft()
    supplier = onboarding.to(supplier, user, "endorsed")
    with pytest.raises(ValidationError) as info:
        services.supplier_transition(supplier=supplier, action=Action.REJECT, by=onboarding.ops, reason="  ")
    assert "reason" in info.value.message_dict
    supplier.refresh_from_db()
    assert supplier.status == S.ENDORSED


def test_request_changes_sends_the_application_back_to_draft_for_editing(onboarding):
    supplier, user = onboarding.draft()
    supplier = onboarding.to(supplier, user, "endorsed")
    assert not supplier.is_editable
    with pytest.raises(ValidationError):
        services.application_update(supplier=supplier, by=user, data={"address": "新地址"})
    supplier = services.supplier_transition(
        supplier=supplier, action=Action.REQUEST_CHANGES, by=onboarding.ops, reason="请补充详细地址"
    )
    assert supplier.status == S.DRAFT
    supplier = services.application_update(
        supplier=supplier, by=user, data={"address": "巴东县信陵镇楚天路8号"}
    )
    assert supplier.address == "巴东县信陵镇楚天路8号"


def test_county_return_sends_it_back_too(onboarding):
    supplier, user = onboarding.draft()
    supplier = onboarding.to(supplier, user, "submitted")
    supplier = services.supplier_transition(
        supplier=supplier, action=Action.RETURN, by=onboarding.officer, reason="生产基地不在本县"
    )
    assert supplier.status == S.DRAFT


def test_suspend_and_reinstate_by_ops(onboarding):
    supplier, user = onboarding.draft()
    supplier = onboarding.to(supplier, user, "active")
    supplier = services.supplier_transition(
        supplier=supplier, action=Action.SUSPEND, by=onboarding.ops, reason="抽检不合格"
    )
    assert (supplier.status, supplier.suspension_cause) == (S.SUSPENDED, SuspensionCause.OPS)
    supplier = services.supplier_transition(
        supplier=supplier, action=Action.REINSTATE, by=onboarding.ops, reason="已整改"
    )
    assert (supplier.status, supplier.suspension_cause) == (S.ACTIVE, "")


def test_history_entries_cannot_be_rewritten(onboarding):
    supplier, user = onboarding.draft()
    onboarding.to(supplier, user, "submitted")
    event = SupplierEvent.objects.get(supplier=supplier)
    event.reason = "changed"
    with pytest.raises(ValueError):
        event.save()


def test_uscc_is_unique_across_suppliers(onboarding):
    first, _ = onboarding.draft()
    second, user = onboarding.draft(complete=False)
    with pytest.raises(ValidationError) as info:
        services.application_update(supplier=second, by=user, data={"uscc": first.uscc})
    assert "uscc" in info.value.message_dict


def test_only_eligible_counties_are_accepted(onboarding):
    from regions.models import County

    supplier, user = onboarding.draft(complete=False)
    beijing = County.objects.get(code="110101")
    with pytest.raises(ValidationError) as info:
        services.application_update(supplier=supplier, by=user, data={"county": beijing})
    assert "county" in info.value.message_dict
    supplier.refresh_from_db()
    assert supplier.county_id is None


def test_credit_ledger(onboarding):
    supplier, _user = onboarding.draft()
    entry = services.credit_adjust(supplier=supplier, delta=-5, reason="抽检：标签不规范", by=onboarding.ops)
    assert (entry.balance_after, supplier.credit_score) == (95, 95)
    services.credit_adjust(supplier=supplier, delta=3, reason="整改完成", by=onboarding.ops)
    supplier.refresh_from_db()
    assert supplier.credit_score == 98
    assert list(supplier.credit_entries.values_list("delta", "balance_after")) == [(3, 98), (-5, 95)]
    with pytest.raises(ValidationError):
        services.credit_adjust(supplier=supplier, delta=0, reason="x", by=onboarding.ops)
    with pytest.raises(ValidationError):
        services.credit_adjust(supplier=supplier, delta=-1, reason=" ", by=onboarding.ops)
    supplier.refresh_from_db()
    assert supplier.credit_score == 98
