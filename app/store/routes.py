from flask import Blueprint

bp = Blueprint("store", __name__, template_folder="templates", url_prefix="/store")
