from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kinabog.accounts"
    label = "accounts"
