"""What the landing pages keep in the database rather than in the cache, so that an empty cache
(every new day, every restart) does not make the first visit sum a year of payroll lines."""

from django.db import models


class RunSpending(models.Model):
    """A payroll run's amounts per funding party, summed once per computation of its lines:
    `stamp` is the run's (attempt, state, computed_at) when they were summed; lines change only
    by a computation, which changes it (subsidies.selectors.cost_report relies on the same)."""

    run = models.OneToOneField(
        "subsidies.PayrollRun", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    stamp = models.CharField(max_length=80)
    has_lines = models.BooleanField()
    province = models.DecimalField(max_digits=16, decimal_places=2)
    city = models.DecimalField(max_digits=16, decimal_places=2)
    district = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "核算月份资金合计"

    def __str__(self) -> str:
        return f"{self.run_id}: {self.province + self.city + self.district}"
