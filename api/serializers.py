"""What the interface returns. ID and bank numbers are masked unless the view says `full`
(docs/policy.md §13.1, §13.5); no birth date, sex or date that follows from them (§13.4)."""

from rest_framework import serializers

from common.idcard import mask_id_number
from placements.models import Placement
from posts.models import Post
from subsidies.models import PayrollLine


def shown(number: str, full: bool) -> str:
    return number if full or not number else mask_id_number(number)


class PostSerializer(serializers.ModelSerializer):
    township = serializers.CharField(source="township.code")
    village = serializers.CharField(source="village.name")
    duty = serializers.CharField(source="duty.name")

    class Meta:
        model = Post
        fields = ["id", "code", "year", "township", "village", "line", "duty", "status", "kind", "department"]


class PersonOnPostSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name")
    id_number = serializers.SerializerMethodField()
    township = serializers.CharField(source="township.code")
    village = serializers.CharField(source="post.village.name")
    post = serializers.CharField(source="post.code")

    class Meta:
        model = Placement
        fields = ["id", "name", "id_number", "township", "village", "post", "line", "on_post_date"]

    def get_id_number(self, obj: Placement) -> str:
        return shown(obj.person.id_number, self.context.get("full", False))


class PayrollLineSerializer(serializers.ModelSerializer):
    township = serializers.CharField(source="township.code")
    name = serializers.SerializerMethodField()
    id_number = serializers.SerializerMethodField()
    bank_account = serializers.SerializerMethodField()

    class Meta:
        model = PayrollLine
        fields = [
            "id",
            "township",
            "placement",
            "name",
            "id_number",
            "bank_account",
            "line",
            "kind",
            "corrects_month",
            "days_on_post",
            "days_attended",
            "pay",
            "province",
            "city",
            "district",
            "withheld",
            "note",
        ]

    # A locked month reads whom it paid (frozen at the lock); an open month reads the person.
    def get_name(self, obj: PayrollLine) -> str:
        return obj.payee_name or obj.placement.person.name

    def get_id_number(self, obj: PayrollLine) -> str:
        return shown(obj.payee_id_number or obj.placement.person.id_number, self.context.get("full", False))

    def get_bank_account(self, obj: PayrollLine) -> str:
        return shown(obj.bank_account or obj.placement.person.bank_account, self.context.get("full", False))


class TownshipTotalSerializer(serializers.Serializer):
    township = serializers.CharField(source="township__code")
    township_name = serializers.CharField(source="township__name")
    people = serializers.IntegerField()
    pay = serializers.DecimalField(max_digits=16, decimal_places=2)
    province = serializers.DecimalField(max_digits=16, decimal_places=2)
    city = serializers.DecimalField(max_digits=16, decimal_places=2)
    district = serializers.DecimalField(max_digits=16, decimal_places=2)
