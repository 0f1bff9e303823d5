from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "kinabog.posts"
    label = "posts"
