from xizang5g.security import signals


class PermissionDeniedEventMiddleware:
    """Record every 403 the platform answers as a security event (action permission_denied)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            signals.permission_denied(request)
        return response
