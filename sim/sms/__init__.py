"""The simulated SMS provider (a Twilio/MessageBird-like JSON API), mounted at `/sms`."""

from sim.sms.app import SIM_API_KEY, SMS_PROVIDER, SmsProvider, install_sms

__all__ = ["SIM_API_KEY", "SMS_PROVIDER", "SmsProvider", "install_sms"]
