"""The morning attendance is due: clerks and finance officers log in and click through their
day. Used by bench/load.py (which starts gunicorn and locust); not a test."""

import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = "bench-password-1"
TOWNSHIPS = [
    "371502001",
    "371502002",
    "371502003",
    "371502005",
    "371502006",
    "371502100",
    "371502101",
    "371502102",
    "371502103",
    "371502104",
    "371502105",
    "371502106",
    "371502115",
    "371502116",
]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Officer(HttpUser):
    abstract = True
    # Reading the page, typing, before the next click: THINK="10,30" seconds by default.
    wait_time = between(*(float(x) for x in os.environ.get("THINK", "10,30").split(",")))
    username = ""

    def on_start(self) -> None:
        page = self.client.get("/login/", name="login page")
        found = CSRF.search(page.text)
        assert found is not None, "the login page carries its CSRF token"
        token = found.group(1)
        response = self.client.post(
            "/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/login/"},
            name="log in",
        )
        if "/login/" in response.url:
            raise RuntimeError(f"{self.username} could not log in")


class Clerk(Officer):
    weight = 9

    def on_start(self) -> None:
        self.username = f"clerk_{random.choice(TOWNSHIPS)}"
        super().on_start()

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="home")

    @task(3)
    def people(self) -> None:
        self.client.get("/people/", name="people list")

    @task(2)
    def search(self) -> None:
        self.client.get("/people/", params={"q": random.choice("王李张刘陈杨赵黄周吴")}, name="people search")

    @task(2)
    def person(self) -> None:
        page = self.client.get("/people/", params={"page": random.randint(1, 50)}, name="people page n")
        found = re.findall(r'href="/people/(\d+)/"', page.text)
        if found:
            self.client.get(f"/people/{random.choice(found)}/", name="person page")

    @task(2)
    def queue(self) -> None:
        self.client.get("/placements/", name="work queue")

    @task(2)
    def on_post(self) -> None:
        self.client.get("/placements/on-post/", params={"status": "on"}, name="on post")

    @task(1)
    def attendance(self) -> None:
        self.client.get("/subsidies/attendance/", name="attendance page")

    @task(1)
    def alerts(self) -> None:
        self.client.get("/placements/alerts/", params={"page": 1}, name="alerts")


class Finance(Officer):
    weight = 1
    username = "finance_371502"
    run_id = ""  # not "run": locust users have a run() method

    @task(2)
    def home(self) -> None:
        page = self.client.get("/", name="home")
        found = re.search(r'href="/subsidies/(\d+)/"', page.text)
        self.run_id = found.group(1) if found else self.run_id

    @task(3)
    def run_page(self) -> None:
        if self.run_id:
            self.client.get(f"/subsidies/{self.run_id}/", name="run page")

    @task(3)
    def lines(self) -> None:
        if self.run_id:
            town = random.choice(TOWNSHIPS)
            self.client.get(f"/subsidies/{self.run_id}/lines/", params={"township": town}, name="run lines")

    @task(1)
    def costs(self) -> None:
        self.client.get("/subsidies/costs/", params={"year": 2022}, name="cost report")
