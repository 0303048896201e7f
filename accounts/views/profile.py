"""The account page: the person's name, their consent to share it with partner nodes, and their
projects."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms_mydata import NameForm, ProjectForm, SharingForm
from accounts.models import Project
from accounts.services import account_page, profiles


@login_required
def profile(request):
    user = request.user
    name_form = NameForm(initial={"first_name": user.first_name, "last_name": user.last_name})
    new_project = ProjectForm(prefix="new")
    sharing = profiles.profile_of(user).share_identity_with_peers
    sharing_form = SharingForm(initial={"share_identity_with_peers": sharing})
    if request.method == "POST" and "save_name" in request.POST:
        name_form = NameForm(request.POST)
        if name_form.is_valid():
            account_page.user_name_update(user=user, **name_form.cleaned_data)
            messages.success(request, _("Your name is saved."))
            return redirect("account_profile")
    elif request.method == "POST" and "save_sharing" in request.POST:
        sharing_form = SharingForm(request.POST)
        if sharing_form.is_valid():
            share = sharing_form.cleaned_data["share_identity_with_peers"]
            profiles.profile_sharing_update(user, share=share)
            messages.success(
                request,
                _("Your name will be shared with partner nodes.")
                if share
                else _("Your name will no longer be shared with partner nodes."),
            )
            return redirect("account_profile")
    elif request.method == "POST" and "add_project" in request.POST:
        new_project = ProjectForm(request.POST, prefix="new")
        if new_project.is_valid():
            profiles.project_add(user, **new_project.cleaned_data)
            messages.success(request, _("Project added."))
            return redirect("account_profile")
    projects = [
        (project, ProjectForm(instance=project, prefix=f"p{project.pk}"))
        for project in Project.objects.filter(owner=user)
    ]
    status = 400 if request.method == "POST" else 200
    context = {"name_form": name_form, "sharing_form": sharing_form, "new_project": new_project, "projects": projects}
    return render(request, "accounts/mydata/profile.html", context, status=status)


@login_required
@require_POST
def project_change(request, pk: int):
    project = get_object_or_404(Project, pk=pk, owner=request.user)
    if "remove" in request.POST:
        account_page.project_remove(user=request.user, project_id=project.pk)
        messages.success(request, _("Project removed."))
        return redirect("account_profile")
    form = ProjectForm(request.POST, instance=project, prefix=f"p{project.pk}")
    if form.is_valid():
        account_page.project_update(user=request.user, project_id=project.pk, **form.cleaned_data)
        messages.success(request, _("Project saved."))
    else:
        messages.error(request, _("The project was not saved: check its name."))
    return redirect("account_profile")
