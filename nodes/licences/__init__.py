"""Licences and transfers of rights: who may use a right, where and until when."""
