"""The mainstream shops Fengshou starts with (ops edit the list in the admin)."""

from django.db import migrations

SHOPS = [
    ("jd", "京东", ["jd.com", "jd.hk", "3.cn"]),
    ("tmall", "天猫", ["tmall.com", "tmall.hk"]),
    ("taobao", "淘宝", ["taobao.com", "tb.cn"]),
    ("pinduoduo", "拼多多", ["pinduoduo.com", "yangkeduo.com"]),
    ("suning", "苏宁易购", ["suning.com"]),
    ("vip", "唯品会", ["vip.com"]),
]


def load(apps, schema_editor):
    Shop = apps.get_model("pricing", "Shop")
    for code, name, hosts in SHOPS:
        Shop.objects.get_or_create(code=code, defaults={"name": name, "hosts": hosts})


class Migration(migrations.Migration):
    dependencies = [("pricing", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
