"""Accreditation as governments do it: the identity data of each nominated member (encrypted
where it is most sensitive), their photo, the delegation's credentials letter, visa invitation
letters embassies can verify, and the purge of all of it when the forum's retention ends."""

from flask import Blueprint

bp = Blueprint("accreditation", __name__)
